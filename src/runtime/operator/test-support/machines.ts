import { assign, fromPromise, setup } from 'xstate';

/** A payment whose `charge` activity may be faked to fail; retried per the test's policy. */
export const payment = setup({
  types: { context: {} as { receipt: string | null } },
  actors: {
    charge: fromPromise(async () => 'r-1'),
  },
}).createMachine({
  id: 'payment',
  initial: 'charging',
  context: { receipt: null },
  states: {
    charging: {
      after: { 3600000: 'timedOut' },
      invoke: {
        id: 'c',
        src: 'charge',
        onDone: {
          target: 'paid',
          actions: assign({ receipt: ({ event }) => String(event.output) }),
        },
        onError: 'failed',
      },
    },
    paid: {},
    failed: {},
    timedOut: {},
  },
});

/** A machine whose `notify` action always fails: its effects end as dead letters. */
export const mailer = setup({
  actions: {
    notify: () => {
      throw new Error('mail server down');
    },
  },
}).createMachine({
  id: 'mailer',
  initial: 'idle',
  states: { idle: { on: { Mail: { actions: 'notify' } } } },
});
