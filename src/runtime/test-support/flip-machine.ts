import { assign, emit, setup } from 'xstate';

/**
 * A machine whose every event writes all kinds of rows: it toggles between two
 * states, each with its own `after` timer, counts flips, and emits per flip.
 * Used by crash tests to check that nothing is ever half-written.
 */
export const flipMachine = setup({
  types: { context: {} as { flips: number } },
}).createMachine({
  id: 'flip',
  initial: 'a',
  context: { flips: 0 },
  states: {
    a: {
      after: { 60000: 'b' },
      on: {
        Flip: {
          target: 'b',
          actions: [
            assign({ flips: ({ context }) => context.flips + 1 }),
            emit({ type: 'flipped' }),
          ],
        },
      },
    },
    b: {
      after: { 90000: 'a' },
      on: {
        Flip: {
          target: 'a',
          actions: [
            assign({ flips: ({ context }) => context.flips + 1 }),
            emit({ type: 'flipped' }),
          ],
        },
      },
    },
  },
});
