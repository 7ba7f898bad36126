import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AnyMachineSnapshot,
  type AnyStateMachine,
  assign,
  type EventObject,
  fromTransition,
  raise,
  setup,
} from 'xstate';
import { contextStep, type Transition } from './context-step.js';
import { createStepper } from './step.js';
import { StepScopes } from './step-scope.js';

/**
 * `contextStep` against XState's own transition, on generated machines: every
 * step it computes must be the snapshot XState computes, and the stepper must
 * accept exactly what `snapshot.can` accepts.
 */

const NODES = ['root', 'a', 'b', 'b1', 'b2', 'p', 'r1', 'x', 'y', 'r2', 'u', 'v'] as const;
const TARGETS = ['a', 'b', 'b2', 'p', 'y', 'v'] as const;
const EVENTS = ['E0', 'E1', 'E2', 'E3'] as const;

/** Actions a transition may carry: the first seven are `assign`s, the rest are not (or spawn). */
const ACTIONS = {
  inline: assign((({ context, event }: Args) => ({
    n: context.n + event.k,
    log: [...context.log, 'i'],
  })) as never),
  property: assign({ n: ({ context }: Args) => (context.n * 2) % 1000, mark: 'p' } as never),
  named: 'bump',
  namedStatic: { type: 'bump', params: { by: 3 } },
  namedFn: { type: 'bump', params: ({ context }: Args) => ({ by: context.n % 4 }) },
  twice: 'bumpTwice',
  throwing: assign((({ context }: Args) => {
    if (context.n % 7 === 3) throw new Error(`no assign at ${context.n}`);
    return { n: context.n + 5 };
  }) as never),
  custom: 'note',
  raise: raise({ type: 'E3', k: 1 } as never), // never on E3 itself: a raise loop never ends
  spawn: 'spawnKid',
  swallowedSpawn: assign((({ context, spawn }: Args & { spawn: (src: string) => unknown }) => {
    try {
      spawn('kid');
    } catch {
      // an assigner that ignores a failed spawn
    }
    return { n: context.n + 1 };
  }) as never),
} as const;
type ActionName = keyof typeof ACTIONS;
const ALL = Object.keys(ACTIONS) as ActionName[];
const ASSIGNS = ALL.slice(0, 7);
interface Args {
  context: { n: number; log: string[] };
  event: { k: number };
}

interface TransitionSpec {
  node: (typeof NODES)[number];
  event: (typeof EVENTS)[number];
  target: (typeof TARGETS)[number] | null;
  guard: 'none' | 'even' | 'small';
  actions: ActionName[];
}
interface MachineSpec {
  transitions: TransitionSpec[];
  /** Nodes with `always: { guard: n > threshold, target: a }`. */
  always: { node: (typeof NODES)[number]; threshold: number }[];
}

const transitionSpec: fc.Arbitrary<TransitionSpec> = fc.record({
  node: fc.constantFrom(...NODES),
  event: fc.constantFrom(...EVENTS),
  target: fc.option(fc.constantFrom(...TARGETS), { nil: null, freq: 3 }),
  guard: fc.constantFrom('none', 'none', 'even', 'small'),
  actions: fc.oneof(
    { weight: 3, arbitrary: fc.array(fc.constantFrom(...ASSIGNS), { minLength: 1, maxLength: 3 }) },
    { weight: 2, arbitrary: fc.array(fc.constantFrom(...ALL), { maxLength: 3 }) },
  ),
});
const machineSpec: fc.Arbitrary<MachineSpec> = fc.record({
  transitions: fc.array(transitionSpec, { minLength: 1, maxLength: 24 }),
  always: fc.array(
    fc.record({
      node: fc.constantFrom(...NODES.filter((n) => n !== 'a' && n !== 'root')),
      threshold: fc.integer({ min: 0, max: 40 }),
    }),
    { maxLength: 3 },
  ),
});
const events = fc.array(
  fc.record({ type: fc.constantFrom(...EVENTS), k: fc.integer({ min: 0, max: 9 }) }),
  { minLength: 1, maxLength: 30 },
);

function machineOf(spec: MachineSpec): AnyStateMachine {
  const on = (node: string) => {
    const handlers: Record<string, unknown[]> = {};
    for (const t of spec.transitions.filter((t) => t.node === node)) {
      const actions = t.event === 'E3' ? t.actions.filter((a) => a !== 'raise') : t.actions;
      const list = handlers[t.event] ?? [];
      handlers[t.event] = list;
      list.push({
        ...(t.target && { target: `#m-${t.target}` }),
        ...(t.guard !== 'none' && { guard: t.guard }),
        actions: actions.map((a) => ACTIONS[a]),
      });
    }
    const always = spec.always.find((a) => a.node === node);
    return {
      id: `m-${node}`,
      on: handlers,
      ...(always && {
        always: { guard: ({ context }: Args) => context.n > always.threshold, target: '#m-a' },
      }),
    };
  };
  const leaf = (name: string) => on(name);
  const region = (name: string, first: string, second: string) => ({
    ...on(name),
    initial: first,
    states: { [first]: leaf(first), [second]: leaf(second) },
  });
  return setup({
    actors: { kid: fromTransition((s: number) => s, 0) },
    guards: {
      even: ({ context }: Args) => context.n % 2 === 0,
      small: ({ context, event }: Args) => context.n + event.k < 40,
    },
    actions: {
      bump: assign((({ context }: Args, params: { by?: number } | undefined) => ({
        n: context.n + (params?.by ?? 1),
      })) as never),
      bumpTwice: assign({ n: ({ context }: Args) => context.n + 2, log: ['twice'] } as never),
      note: () => {},
      spawnKid: assign((({ context, spawn }: Args & { spawn: (src: string) => unknown }) => {
        spawn('kid');
        return { n: context.n + 10 };
      }) as never),
    },
  } as never).createMachine({
    ...on('root'),
    context: { n: 1, log: [] },
    initial: 'a',
    states: {
      a: leaf('a'),
      b: region('b', 'b1', 'b2'),
      p: {
        ...on('p'),
        type: 'parallel',
        states: { r1: region('r1', 'x', 'y'), r2: region('r2', 'u', 'v') },
      },
    },
  } as never) as unknown as AnyStateMachine;
}

const attempt = <T>(run: () => T): T | Error => {
  try {
    return run();
  } catch (error) {
    return error as Error;
  }
};

const persisted = (machine: AnyStateMachine, snapshot: AnyMachineSnapshot) => ({
  ...(machine.getPersistedSnapshot(snapshot) as object),
  tags: [...snapshot.tags],
});

describe('contextStep', () => {
  it('computes exactly the snapshot XState computes, whenever it computes one', () => {
    let fast = 0;
    let total = 0;
    fc.assert(
      fc.property(machineSpec, events, (spec, sequence) => {
        const machine = machineOf(spec);
        const stepper = createStepper(machine);
        const scopes = new StepScopes();
        let snapshot = stepper.initial(undefined, { at: 1, seq: 1 }).snapshot;
        for (const [i, event] of sequence.entries()) {
          if (snapshot.status !== 'active') break;
          const seq = i + 2;
          const prefix = `x:${seq}.`;
          const transitions = machine.getTransitionData(snapshot as never, event) as Transition[];
          const [xstate] = scopes.collect(snapshot, prefix, (scope) =>
            attempt(() => machine.transition(snapshot, event as EventObject, scope)),
          );
          const [quick] = scopes.collect(snapshot, prefix, (scope) =>
            attempt(() => contextStep(snapshot, event, transitions, scope)),
          );
          if (transitions.length > 0) total++;
          if (quick instanceof Error || xstate instanceof Error) {
            // An assigner that throws throws the same out of both.
            if (quick !== undefined) expect(quick).toEqual(xstate);
            break;
          }
          if (quick) {
            fast++;
            expect(persisted(machine, quick)).toEqual(persisted(machine, xstate));
          }
          const outcome = stepper.next(snapshot, event, { at: seq, seq });
          expect(outcome.accepted).toBe(snapshot.can(event));
          if (!outcome.accepted) continue;
          expect(persisted(machine, outcome.snapshot)).toEqual(persisted(machine, xstate));
          snapshot = outcome.snapshot;
        }
      }),
      { numRuns: 400 },
    );
    // Of the steps that enabled a transition, both paths took some: the property is not vacuous.
    expect(fast).toBeGreaterThan(total / 10);
    expect(fast).toBeLessThan(total);
  });
});
