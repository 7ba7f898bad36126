import { assign, setup } from 'xstate';

interface Ctx {
  readonly plan: string;
  readonly pauses: number;
  readonly note?: string;
}

/** Version 1: active ⇄ paused (paused expires after a grace period), cancelled. */
export const subscriptionV1 = setup({
  types: { context: {} as Ctx },
  delays: { grace: 60_000 },
}).createMachine({
  id: 'subscription',
  initial: 'active',
  context: { plan: 'basic', pauses: 0 },
  states: {
    active: {
      on: {
        Pause: {
          target: 'paused',
          actions: assign({ pauses: ({ context }) => context.pauses + 1 }),
        },
        Cancel: 'cancelled',
      },
    },
    paused: { after: { grace: 'cancelled' }, on: { Resume: 'active', Cancel: 'cancelled' } },
    cancelled: { type: 'final' },
  },
});

/** Version 2: `paused` is now `onHold`, with a longer grace period and a note; `Upgrade` is new. */
export const subscriptionV2 = setup({
  types: { context: {} as Ctx },
  delays: { grace: 120_000 },
}).createMachine({
  id: 'subscription',
  initial: 'active',
  context: { plan: 'basic', pauses: 0 },
  states: {
    active: {
      on: {
        Pause: {
          target: 'onHold',
          actions: assign({ pauses: ({ context }) => context.pauses + 1 }),
        },
        Cancel: 'cancelled',
        Upgrade: { actions: assign({ plan: 'pro' }) },
      },
    },
    onHold: { after: { grace: 'cancelled' }, on: { Resume: 'active', Cancel: 'cancelled' } },
    cancelled: { type: 'final' },
  },
});

/** Version 1 with a compatible change: a new terminal state and a new event into it. */
export const subscriptionV1Compatible = setup({
  types: { context: {} as Ctx },
  delays: { grace: 60_000 },
}).createMachine({
  id: 'subscription',
  initial: 'active',
  context: { plan: 'basic', pauses: 0 },
  states: {
    active: {
      on: {
        Pause: {
          target: 'paused',
          actions: assign({ pauses: ({ context }) => context.pauses + 1 }),
        },
        Cancel: 'cancelled',
        Refund: 'refunded',
      },
    },
    paused: { after: { grace: 'cancelled' }, on: { Resume: 'active', Cancel: 'cancelled' } },
    cancelled: { type: 'final' },
    refunded: { type: 'final' },
  },
});

/** The migration from 1 to 2: `paused` becomes `onHold`, with a note in the context. */
export const v1ToV2 = {
  machine: 'subscription',
  from: '1',
  to: '2',
  states: { paused: 'onHold' },
  context: (context: unknown) => ({ ...(context as Ctx), note: 'migrated to v2' }),
} as const;

export const bothVersions = [
  { machine: subscriptionV1, version: '1' },
  { machine: subscriptionV2, version: '2' },
];
