import { assign, emit, setup } from 'xstate';
import { eventTime } from '../src/index.js';

export interface OrderContext {
  readonly total: number;
  readonly paid: number;
  readonly paidAt: number | null;
  readonly carrier: string | null;
  readonly cancelReason: string | null;
}

export type OrderEvent =
  | { type: 'Pay'; amount?: number }
  | { type: 'Pack' }
  | { type: 'Ship'; carrier?: string }
  | { type: 'Deliver' }
  | { type: 'Cancel'; reason?: string };

/**
 * An order's lifecycle: pending → (Pay, guarded: paid in full) → paid, with
 * nested packing states → (Ship) → shipped → (Deliver) → delivered. An unpaid
 * order is cancelled after 48 hours by a durable timer; a paid one can be
 * cancelled until it ships.
 */
export const orderMachine = setup({
  types: {
    context: {} as OrderContext,
    input: {} as { total: number },
    events: {} as OrderEvent,
    emitted: {} as
      | { type: 'order.paid'; total: number }
      | { type: 'order.shipped'; carrier: string },
  },
  guards: {
    paidInFull: ({ context, event }) =>
      event.type === 'Pay' && (event.amount ?? context.total) >= context.total,
  },
  actions: {
    notifyCustomer: (_, _params: { template: string }) => {},
  },
  delays: { paymentWindow: 48 * 60 * 60 * 1000 },
}).createMachine({
  id: 'order',
  initial: 'pending',
  context: ({ input }) => ({
    total: input.total,
    paid: 0,
    paidAt: null,
    carrier: null,
    cancelReason: null,
  }),
  states: {
    pending: {
      after: {
        paymentWindow: { target: 'cancelled', actions: assign({ cancelReason: 'unpaid' }) },
      },
      on: {
        Pay: {
          guard: 'paidInFull',
          target: 'paid',
          actions: [
            assign({
              paid: ({ context, event }) => event.amount ?? context.total,
              paidAt: () => eventTime(),
            }),
            emit(({ context }) => ({ type: 'order.paid' as const, total: context.total })),
          ],
        },
        Cancel: {
          target: 'cancelled',
          actions: assign({ cancelReason: ({ event }) => event.reason ?? 'customer' }),
        },
      },
    },
    paid: {
      initial: 'awaitingPacking',
      entry: { type: 'notifyCustomer', params: { template: 'payment-received' } },
      states: {
        awaitingPacking: { on: { Pack: 'packed' } },
        packed: {},
      },
      on: {
        Ship: {
          target: 'shipped',
          actions: [
            assign({ carrier: ({ event }) => event.carrier ?? 'post' }),
            emit(({ context }) => ({
              type: 'order.shipped' as const,
              carrier: context.carrier ?? 'post',
            })),
          ],
        },
        Cancel: {
          target: 'cancelled',
          actions: assign({ cancelReason: ({ event }) => event.reason ?? 'customer' }),
        },
      },
    },
    shipped: {
      entry: { type: 'notifyCustomer', params: { template: 'shipped' } },
      on: { Deliver: 'delivered' },
    },
    delivered: { type: 'final' },
    cancelled: { type: 'final' },
  },
});
