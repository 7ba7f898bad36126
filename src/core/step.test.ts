import { describe, expect, it } from 'vitest';
import { assign, type EventObject, fromPromise, setup } from 'xstate';
import { orderMachine } from '../../examples/order.js';
import { eventTime } from './event-time.js';
import { createStepper } from './step.js';

const order = createStepper(orderMachine);
const T0 = Date.UTC(2026, 0, 1);

describe('core step', () => {
  it('given input, the initial step yields the initial state and its timer as data', () => {
    const { snapshot, effects } = order.initial({ total: 40 }, { at: T0, seq: 1 });
    expect(snapshot.value).toBe('pending');
    expect(snapshot.context).toMatchObject({ total: 40, paid: 0 });
    expect(effects).toEqual([
      {
        kind: 'timer.set',
        timerId: 'xstate.after.paymentWindow.order.pending',
        delay: 48 * 3600_000,
        dueAt: T0 + 48 * 3600_000,
        event: { type: 'xstate.after.paymentWindow.order.pending' },
        target: 'self',
      },
    ]);
  });

  it('when Pay arrives, then the timer is cancelled and custom actions and emits become effects', () => {
    const start = order.initial({ total: 40 }, { at: T0, seq: 1 }).snapshot;
    const out = order.next(start, { type: 'Pay' }, { at: T0 + 5, seq: 2 });
    if (!out.accepted) throw new Error('expected accepted');
    expect(out.snapshot.value).toEqual({ paid: 'awaitingPacking' });
    expect(out.snapshot.context.paidAt).toBe(T0 + 5);
    expect(out.effects).toEqual([
      { kind: 'timer.cancel', timerId: 'xstate.after.paymentWindow.order.pending' },
      { kind: 'emit', event: { type: 'order.paid', total: 40 } },
      { kind: 'action', type: 'notifyCustomer', params: { template: 'payment-received' } },
    ]);
  });

  it('an event the state does not handle, or whose guard fails, is not accepted', () => {
    const start = order.initial({ total: 40 }, { at: T0, seq: 1 }).snapshot;
    expect(order.next(start, { type: 'Ship' }, { at: T0, seq: 2 })).toEqual({ accepted: false });
    expect(
      order.next(start, { type: 'Pay', amount: 10 } as EventObject, { at: T0, seq: 2 }),
    ).toEqual({
      accepted: false,
    });
  });

  it('guards and assign see the recorded time, not the wall clock', () => {
    const m = setup({
      types: { context: {} as { at: number } },
    }).createMachine({
      id: 'clocked',
      context: { at: 0 },
      on: {
        Tick: { guard: () => eventTime() > 1000, actions: assign({ at: () => eventTime() }) },
      },
    });
    const s = createStepper(m);
    const start = s.initial(undefined, { at: 1, seq: 1 }).snapshot;
    expect(s.next(start, { type: 'Tick' }, { at: 500, seq: 2 }).accepted).toBe(false);
    const out = s.next(start, { type: 'Tick' }, { at: 2000, seq: 2 });
    expect(out.accepted && out.snapshot.context.at).toBe(2000);
  });

  it('a throwing assign throws out of the step', () => {
    const m = setup({}).createMachine({
      id: 'boom',
      on: {
        Go: {
          actions: assign(() => {
            throw new Error('bad data');
          }),
        },
      },
    });
    const s = createStepper(m);
    const start = s.initial(undefined, { at: 1, seq: 1 }).snapshot;
    expect(() => s.next(start, { type: 'Go' }, { at: 2, seq: 2 })).toThrow('bad data');
  });

  it('invoked promise actors become activity start/stop effects with their input', () => {
    const m = setup({
      actors: {
        charge: fromPromise(async ({ input }: { input: { amount: number } }) => input.amount),
      },
    }).createMachine({
      id: 'pay',
      initial: 'charging',
      states: {
        charging: {
          invoke: { id: 'c1', src: 'charge', input: () => ({ amount: 7 }), onDone: 'done' },
          on: { Abort: 'aborted' },
        },
        done: {},
        aborted: {},
      },
    });
    const s = createStepper(m);
    const init = s.initial(undefined, { at: 1, seq: 1 });
    expect(init.effects).toEqual([
      { kind: 'activity.start', activityId: 'c1', src: 'charge', input: { amount: 7 } },
    ]);
    const out = s.next(init.snapshot, { type: 'Abort' }, { at: 2, seq: 2 });
    expect(out.accepted && out.effects).toEqual([
      { kind: 'activity.stop', activityId: 'c1', src: 'charge' },
    ]);
  });

  it('persisted snapshots restore to an equal state', () => {
    const start = order.initial({ total: 40 }, { at: T0, seq: 1 }).snapshot;
    const paid = order.next(start, { type: 'Pay' }, { at: T0, seq: 2 });
    if (!paid.accepted) throw new Error('expected accepted');
    const restored = order.restore(JSON.parse(JSON.stringify(order.persist(paid.snapshot))));
    expect(restored.value).toEqual(paid.snapshot.value);
    expect(restored.context).toEqual(paid.snapshot.context);
    const shipped = order.next(restored, { type: 'Ship' }, { at: T0, seq: 3 });
    expect(shipped.accepted && shipped.snapshot.value).toBe('shipped');
  });
});
