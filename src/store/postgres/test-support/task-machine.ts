import { assign, fromPromise, setup } from 'xstate';
import { activityInfo } from '../../../runtime/effects/activity-info.js';

/** Where the `work` activity reports each run: its idempotency key, attempt and phase. */
export type Journal = (entry: {
  readonly key: string;
  readonly attempt: number;
  readonly phase: 'start' | 'done';
}) => Promise<void>;

export const COOL_MS = 200;
export const TIMER_EVENT = `xstate.after.${COOL_MS}.task.cooling`;
export const DONE_EVENT = 'xstate.done.actor.work';

/**
 * The machine of the multi-process tests. `Go` (only when idle) invokes the
 * `work` activity; its result moves the task to `cooling`, which only its
 * 200 ms timer leaves (so a timer fired twice, or early, shows in the history).
 * `Bump` is accepted in every state and changes only the context: the event
 * processes race on.
 */
export function taskMachine(journal: Journal, workMs: () => number = () => 20) {
  return setup({
    types: { context: {} as { bumps: number; runs: number; cools: number } },
    actors: {
      work: fromPromise(async (args: { input: unknown; signal: AbortSignal }) => {
        const info = activityInfo(args);
        const key = info?.idempotencyKey ?? '?';
        const attempt = info?.attempt ?? 0;
        await journal({ key, attempt, phase: 'start' });
        await new Promise((resolve) => setTimeout(resolve, workMs()));
        await journal({ key, attempt, phase: 'done' });
        return key;
      }),
    },
  }).createMachine({
    id: 'task',
    initial: 'idle',
    context: { bumps: 0, runs: 0, cools: 0 },
    on: { Bump: { actions: assign({ bumps: ({ context }) => context.bumps + 1 }) } },
    states: {
      idle: { on: { Go: 'working' } },
      working: {
        invoke: {
          id: 'work',
          src: 'work',
          onDone: {
            target: 'cooling',
            actions: assign({ runs: ({ context }) => context.runs + 1 }),
          },
        },
      },
      cooling: {
        after: {
          [COOL_MS]: {
            target: 'idle',
            actions: assign({ cools: ({ context }) => context.cools + 1 }),
          },
        },
      },
    },
  });
}
