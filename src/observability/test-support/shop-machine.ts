import { fromPromise, setup } from 'xstate';

/**
 * The observability tests' machine: a payment window (timer), a charge
 * activity, a custom action and an emit, so every metric, span and log line
 * has something to show.
 */
export const shopMachine = setup({
  actors: { charge: fromPromise(async () => 'ok') },
  actions: { notify: () => {} },
}).createMachine({
  id: 'shop',
  initial: 'pending',
  states: {
    pending: {
      after: { 3600000: 'expired' },
      on: { Pay: 'charging' },
    },
    charging: {
      invoke: { src: 'charge', onDone: 'paid', onError: 'failed' },
    },
    paid: { entry: 'notify', on: { Ship: 'shipped' } },
    shipped: { type: 'final' },
    expired: { type: 'final' },
    failed: {},
  },
});
