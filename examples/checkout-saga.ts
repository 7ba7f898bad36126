import { assign, fromPromise, setup } from 'xstate';
import { activityInfo } from '../src/index.js';

/**
 * Stand-ins for three external services. Each honours idempotency keys the way a
 * real payment or warehouse API does: the same key returns the first result.
 */
export function createServices() {
  const seen = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!seen.has(key)) seen.set(key, make());
    return seen.get(key) as T;
  };
  const log: string[] = [];
  return {
    log,
    reserve: (key: string, items: readonly string[]) =>
      once(key, () => {
        log.push(`reserve ${items.join(',')}`);
        return { reservationId: `res-${seen.size + 1}` };
      }),
    release: (key: string, reservationId: string) =>
      once(key, () => {
        log.push(`release ${reservationId}`);
        return { released: reservationId };
      }),
    charge: (key: string, amount: number) =>
      once(key, () => {
        if (amount > 1000) throw Object.assign(new Error('card declined'), { code: 'DECLINED' });
        log.push(`charge ${amount}`);
        return { chargeId: `ch-${seen.size + 1}` };
      }),
    ship: (key: string, reservationId: string) =>
      once(key, () => {
        log.push(`ship ${reservationId}`);
        return { trackingId: `trk-${seen.size + 1}` };
      }),
  };
}

export type Services = ReturnType<typeof createServices>;

export interface CheckoutContext {
  readonly items: readonly string[];
  readonly amount: number;
  readonly reservationId: string | null;
  readonly chargeId: string | null;
  readonly trackingId: string | null;
  readonly failure: string | null;
}

const keyOf = (args: object) => activityInfo(args)?.idempotencyKey ?? 'local';

/**
 * A checkout saga: reserve stock → charge the card → ship. When the charge
 * fails for good, the reservation is released (compensation) and the saga ends
 * in `failed`. Every step is a durable activity: started only after the
 * transition that invoked it committed, retried with the same idempotency key.
 */
export function checkoutSaga(services: Services) {
  return setup({
    types: {
      context: {} as CheckoutContext,
      input: {} as { items: string[]; amount: number },
    },
    actors: {
      reserveStock: fromPromise(async (args: { input: { items: readonly string[] } }) =>
        services.reserve(keyOf(args), args.input.items),
      ),
      chargeCard: fromPromise(async (args: { input: { amount: number } }) =>
        services.charge(keyOf(args), args.input.amount),
      ),
      shipOrder: fromPromise(async (args: { input: { reservationId: string } }) =>
        services.ship(keyOf(args), args.input.reservationId),
      ),
      releaseStock: fromPromise(async (args: { input: { reservationId: string } }) =>
        services.release(keyOf(args), args.input.reservationId),
      ),
    },
  }).createMachine({
    id: 'checkout',
    initial: 'reserving',
    context: ({ input }) => ({
      items: input.items,
      amount: input.amount,
      reservationId: null,
      chargeId: null,
      trackingId: null,
      failure: null,
    }),
    states: {
      reserving: {
        invoke: {
          id: 'reserve',
          src: 'reserveStock',
          input: ({ context }) => ({ items: context.items }),
          onDone: {
            target: 'charging',
            actions: assign({ reservationId: ({ event }) => event.output.reservationId }),
          },
          onError: {
            target: 'failed',
            actions: assign({
              failure: ({ event }) => `reserve: ${(event.error as Error).message}`,
            }),
          },
        },
      },
      charging: {
        invoke: {
          id: 'charge',
          src: 'chargeCard',
          input: ({ context }) => ({ amount: context.amount }),
          onDone: {
            target: 'shipping',
            actions: assign({ chargeId: ({ event }) => event.output.chargeId }),
          },
          onError: {
            target: 'compensating',
            actions: assign({
              failure: ({ event }) => `charge: ${(event.error as Error).message}`,
            }),
          },
        },
      },
      shipping: {
        invoke: {
          id: 'ship',
          src: 'shipOrder',
          input: ({ context }) => ({ reservationId: context.reservationId ?? '' }),
          onDone: {
            target: 'completed',
            actions: assign({ trackingId: ({ event }) => event.output.trackingId }),
          },
        },
      },
      compensating: {
        invoke: {
          id: 'release',
          src: 'releaseStock',
          input: ({ context }) => ({ reservationId: context.reservationId ?? '' }),
          onDone: 'failed',
        },
      },
      completed: { type: 'final' },
      failed: { type: 'final' },
    },
  });
}
