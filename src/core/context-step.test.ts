import { describe, expect, it } from 'vitest';
import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  assign,
  createMachine,
  type EventObject,
  fromTransition,
  setup,
} from 'xstate';
import { runAt } from './event-time.js';
import { createStepper } from './step.js';
import { StepScopes } from './step-scope.js';

/** The stepper's outcome and XState's own transition from the same snapshot, side by side. */
function both(machine: AnyStateMachine, snapshot: () => AnyMachineSnapshot, event: EventObject) {
  const view = (s: AnyMachineSnapshot) => ({
    value: s.value,
    context: JSON.parse(JSON.stringify(s.context ?? null)),
    status: s.status,
    children: Object.keys(s.children),
  });
  const outcome = (run: () => AnyMachineSnapshot | undefined) => {
    try {
      const s = run();
      return s ? view(s) : 'not accepted';
    } catch (error) {
      return `throws: ${(error as Error).message}`;
    }
  };
  const stepper = createStepper(machine);
  const ours = outcome(() => {
    const out = stepper.next(snapshot(), event, { at: 1000, seq: 2 });
    return out.accepted ? out.snapshot : undefined;
  });
  const theirs = outcome(() => {
    const before = snapshot();
    if (!before.can(event)) return undefined;
    const [after] = runAt(1000, () =>
      new StepScopes().collect(before, 'x:2.', (scope) => machine.transition(before, event, scope)),
    );
    return after;
  });
  return { ours, theirs };
}

const kid = fromTransition((s: number) => s, 0);

describe('contextStep at the edges XState treats apart', () => {
  it('leaves an xstate.init event to XState, which selects no transition for it', () => {
    const machine = createMachine({
      context: { n: 0 },
      on: { '*': { actions: assign({ n: ({ context }) => context.n + 1 }) } },
    });
    const { ours, theirs } = both(
      machine,
      () => machine.resolveState({ value: {}, context: { n: 0 } }),
      {
        type: 'xstate.init',
      },
    );
    expect(ours).toEqual(theirs);
  });

  it.each([null, 0, '', false])('throws as XState does when the context is %j', (context) => {
    const machine = createMachine({
      initial: 'a',
      states: { a: { on: { E: { actions: assign({ n: 1 } as never) } } } },
    });
    const restored = () =>
      machine.restoreSnapshot(
        { value: 'a', context, status: 'active', children: {}, historyValue: {} } as never,
        new StepScopes().forRestore(),
      ) as AnyMachineSnapshot;
    const { ours, theirs } = both(machine, restored, { type: 'E' });
    expect(ours).toEqual(theirs);
    expect(String(ours)).toMatch(/Cannot assign to undefined `context`/);
  });

  it('spawns when an assigner wraps the spawn in its own error handling', () => {
    const machine = setup({ actors: { kid } }).createMachine({
      context: { ref: null as unknown },
      on: {
        E: {
          actions: assign(({ spawn }) => {
            try {
              return { ref: spawn('kid', { id: 'k' }) };
            } catch (cause) {
              throw new Error('could not spawn', { cause });
            }
          }),
        },
      },
    });
    const { ours, theirs } = both(
      machine,
      () => createStepper(machine).initial(undefined, { at: 1, seq: 1 }).snapshot,
      {
        type: 'E',
      },
    );
    expect(ours).toEqual(theirs);
    expect(ours).toMatchObject({ children: ['k'] });
  });

  it('honours a macrostep limit below one, as XState does', () => {
    const machine = createMachine({
      options: { maxIterations: 0 },
      context: { n: 0 },
      on: { E: { actions: assign({ n: ({ context }) => context.n + 1 }) } },
    } as never);
    const { ours, theirs } = both(
      machine,
      () => machine.resolveState({ value: {}, context: { n: 0 } }),
      {
        type: 'E',
      },
    );
    expect(ours).toEqual(theirs);
  });
});
