import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { orderMachine } from '../../examples/order.js';
import type { StatorError } from '../core/errors.js';
import type { Store } from '../store/types.js';
import { createEngine } from './engine.js';
import { manualClock, type TestStore, testStores } from './test-support/stores.js';
import type { Engine } from './types.js';

async function codeOf(promise: Promise<unknown>): Promise<StatorError> {
  try {
    await promise;
  } catch (error) {
    return error as StatorError;
  }
  throw new Error('expected a rejection');
}

describe.each(Object.keys(testStores))('engine on %s', (kind) => {
  let t: TestStore;
  let engine: Engine;
  let store: Store;
  const clock = manualClock();

  beforeEach(async () => {
    t = testStores[kind]!();
    store = t.store;
    engine = await createEngine({ store, machines: [orderMachine], clock });
  });
  afterEach(async () => {
    await engine.close();
    t.cleanup();
  });

  it('creates an instance and records the creation as event 1', async () => {
    const created = await engine.create('order', 'o1', { input: { total: 40 } });
    expect(created).toMatchObject({
      machine: 'order',
      id: 'o1',
      value: 'pending',
      seq: 1,
      status: 'active',
      duplicate: false,
    });
    expect(await engine.get('order', 'o1')).toMatchObject({
      value: 'pending',
      context: { total: 40 },
      seq: 1,
      version: '1',
    });
    const { events } = await engine.history('order', 'o1');
    expect(events).toMatchObject([
      { seq: 1, type: 'xstate.init', payload: { input: { total: 40 } } },
    ]);
  });

  it('applies an accepted event in one commit: event, state, timers, outbox and audit', async () => {
    await engine.create('order', 'o1', { input: { total: 40 } });
    expect(await store.listTimers({ machine: 'order', id: 'o1' })).toMatchObject([
      { timerId: 'xstate.after.paymentWindow.order.pending', dueAt: clock.now() + 48 * 3600_000 },
    ]);
    clock.advance(1000);
    const r = await engine.send('order', 'o1', { type: 'Pay' }, { actor: { id: 'u1' } });
    expect(r).toMatchObject({
      seq: 2,
      value: { paid: 'awaitingPacking' },
      stateEnteredAt: clock.now(),
    });
    expect((r.context as { paidAt: number }).paidAt).toBe(clock.now());
    expect(await store.listTimers({ machine: 'order', id: 'o1' })).toEqual([]);
    const outbox = await store.listOutbox({ machine: 'order', id: 'o1' });
    expect(outbox.map((o) => [o.effectId, o.effect.kind])).toEqual([['order/o1/2/0', 'action']]);
    expect((await store.readEmits(0)).map((e) => [e.effectId, e.event])).toEqual([
      ['order/o1/2/e0', { type: 'order.paid', total: 40 }],
    ]);
    const { entries } = await engine.audit('order', 'o1');
    expect(entries.at(-1)).toMatchObject({
      transitionId: 'order/o1/2',
      actor: { id: 'u1' },
      eventType: 'Pay',
      from: 'pending',
      to: { paid: 'awaitingPacking' },
      outcome: 'applied',
    });
  });

  it('rejects an event the state does not accept, appends nothing and audits rejected_invalid', async () => {
    await engine.create('order', 'o1', { input: { total: 40 } });
    const error = await codeOf(
      engine.send('order', 'o1', { type: 'Ship' }, { actor: { id: 'u2' } }),
    );
    expect(error.code).toBe('EVENT_NOT_ACCEPTED');
    expect(error.message).toContain('state pending');
    expect(error.message).toContain('"Ship"');
    const guarded = await codeOf(engine.send('order', 'o1', { type: 'Pay', amount: 1 }));
    expect(guarded.code).toBe('EVENT_NOT_ACCEPTED');
    expect((await engine.history('order', 'o1')).events).toHaveLength(1);
    const { entries } = await engine.audit('order', 'o1');
    expect(entries.slice(1)).toMatchObject([
      {
        eventType: 'Ship',
        outcome: 'rejected_invalid',
        seq: null,
        actor: { id: 'u2' },
        from: 'pending',
      },
      { eventType: 'Pay', outcome: 'rejected_invalid' },
    ]);
  });

  it('names unknown machines and instances, and refuses duplicate creates', async () => {
    expect((await codeOf(engine.send('nope', 'o1', { type: 'Pay' }))).code).toBe(
      'MACHINE_NOT_FOUND',
    );
    expect((await codeOf(engine.create('nope', 'o1'))).code).toBe('MACHINE_NOT_FOUND');
    expect((await codeOf(engine.send('order', 'o9', { type: 'Pay' }))).code).toBe(
      'INSTANCE_NOT_FOUND',
    );
    expect((await codeOf(engine.get('order', 'o9'))).code).toBe('INSTANCE_NOT_FOUND');
    await engine.create('order', 'o1', { input: { total: 40 } });
    expect((await codeOf(engine.create('order', 'o1', { input: { total: 40 } }))).code).toBe(
      'INSTANCE_EXISTS',
    );
  });

  it('repeats a create with the same key and input, refuses the key with other input', async () => {
    const first = await engine.create('order', 'o1', {
      input: { total: 40 },
      idempotencyKey: 'c1',
    });
    const again = await engine.create('order', 'o1', {
      input: { total: 40 },
      idempotencyKey: 'c1',
    });
    expect(again).toEqual({ ...first, duplicate: true });
    const other = await codeOf(
      engine.create('order', 'o1', { input: { total: 41 }, idempotencyKey: 'c1' }),
    );
    expect(other.code).toBe('IDEMPOTENCY_MISMATCH');
    expect(
      (await codeOf(engine.create('order', 'o1', { input: { total: 40 }, idempotencyKey: 'c2' })))
        .code,
    ).toBe('INSTANCE_EXISTS');
  });

  it('answers a repeated send key with the recorded result and appends once', async () => {
    await engine.create('order', 'o1', { input: { total: 40 } });
    const first = await engine.send('order', 'o1', { type: 'Pay' }, { idempotencyKey: 'pay-1' });
    await engine.send('order', 'o1', { type: 'Pack' });
    const again = await engine.send('order', 'o1', { type: 'Pay' }, { idempotencyKey: 'pay-1' });
    expect(again).toEqual({ ...first, duplicate: true });
    expect((await engine.history('order', 'o1')).events.map((e) => e.type)).toEqual([
      'xstate.init',
      'Pay',
      'Pack',
    ]);
    const mismatch = await codeOf(
      engine.send('order', 'o1', { type: 'Ship' }, { idempotencyKey: 'pay-1' }),
    );
    expect(mismatch.code).toBe('IDEMPOTENCY_MISMATCH');
  });

  it('refuses events to a final instance with INSTANCE_DONE', async () => {
    await engine.create('order', 'o1', { input: { total: 40 } });
    const done = await engine.send('order', 'o1', { type: 'Cancel', reason: 'changed mind' });
    expect(done).toMatchObject({
      status: 'done',
      value: 'cancelled',
      context: { cancelReason: 'changed mind' },
    });
    expect((await codeOf(engine.send('order', 'o1', { type: 'Pay' }))).code).toBe('INSTANCE_DONE');
    expect((await engine.audit('order', 'o1')).entries.at(-1)).toMatchObject({
      outcome: 'rejected_invalid',
      reason: 'INSTANCE_DONE',
    });
  });

  it('rejects malformed input before it reaches the machine', async () => {
    await engine.create('order', 'o1', { input: { total: 40 } });
    const bad = [
      engine.send('order', '', { type: 'Pay' }),
      engine.send('order', 'has space', { type: 'Pay' }),
      engine.send('order', 'x'.repeat(201), { type: 'Pay' }),
      engine.send('order', 'o1', { type: '' }),
      engine.send('order', 'o1', { type: 'xstate.after.1.order.pending' }),
      engine.send('order', 'o1', { type: 'Pay', when: new Date() }),
      engine.send('order', 'o1', { type: 'Pay', n: Number.NaN }),
      engine.send('order', 'o1', { type: 'Pay' }, { idempotencyKey: '' }),
      engine.create('order', 'o2', { input: { total: 10n } }),
      engine.history('order', 'o1', { limit: 0 }),
    ];
    for (const p of bad) expect((await codeOf(p)).code).toBe('VALIDATION_FAILED');
    expect((await engine.history('order', 'o1')).events).toHaveLength(1);
  });

  it('reports a throwing step as STEP_FAILED and records nothing but the audit row', async () => {
    const boom = setup({ types: { context: {} as { n: number } } }).createMachine({
      id: 'boom',
      context: { n: 0 },
      on: {
        Inc: { actions: assign({ n: ({ context }) => context.n + 1 }) },
        Explode: {
          actions: assign(() => {
            throw new Error('division by zero');
          }),
        },
      },
    });
    const e2 = await createEngine({ store: testStores.memory!().store, machines: [boom], clock });
    await e2.create('boom', 'b1');
    const error = await codeOf(e2.send('boom', 'b1', { type: 'Explode' }));
    expect(error.code).toBe('STEP_FAILED');
    expect(error.message).toContain('division by zero');
    expect(await e2.get('boom', 'b1')).toMatchObject({ seq: 1, context: { n: 0 } });
    expect((await e2.audit('boom', 'b1')).entries.at(-1)).toMatchObject({
      outcome: 'rejected_error',
    });
    expect(await e2.send('boom', 'b1', { type: 'Inc' })).toMatchObject({
      seq: 2,
      context: { n: 1 },
    });
    await e2.close();
  });

  it('keeps one event at a time per instance, in order of arrival', async () => {
    const counter = setup({
      types: { context: {} as { log: number[] }, events: {} as { type: 'Add'; n: number } },
    }).createMachine({
      id: 'counter',
      context: { log: [] },
      on: { Add: { actions: assign({ log: ({ context, event }) => [...context.log, event.n] }) } },
    });
    const e2 = await createEngine({
      store: testStores.memory!().store,
      machines: [counter],
      clock,
    });
    await e2.create('counter', 'c');
    const sends = Array.from({ length: 25 }, (_, n) => e2.send('counter', 'c', { type: 'Add', n }));
    const results = await Promise.all(sends);
    expect(results.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 2));
    expect((await e2.get('counter', 'c')).context).toEqual({
      log: Array.from({ length: 25 }, (_, n) => n),
    });
    await e2.close();
  });

  it('group-commits events of different instances into shared transactions', async () => {
    await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        engine.create('order', `g${i}`, { input: { total: 5 } }),
      ),
    );
    let commits = 0;
    const original = store.commit.bind(store);
    store.commit = (writes) => {
      commits++;
      return original(writes);
    };
    await Promise.all(
      Array.from({ length: 40 }, (_, i) => engine.send('order', `g${i}`, { type: 'Pay' })),
    );
    expect(commits).toBeGreaterThan(0);
    expect(commits).toBeLessThanOrEqual(4);
    store.commit = original;
  });

  it('writes snapshots every N events, on named states, and by hand', async () => {
    const own = testStores.memory!().store;
    const e2 = await createEngine({
      store: own,
      machines: [{ machine: orderMachine, snapshot: { every: 3, states: ['order.shipped'] } }],
      clock,
    });
    const latest = async () => (await own.latestSnapshot({ machine: 'order', id: 's1' }))?.seq;
    await e2.create('order', 's1', { input: { total: 5 } });
    await e2.send('order', 's1', { type: 'Pay' }); // seq 2
    expect(await latest()).toBeUndefined();
    await e2.send('order', 's1', { type: 'Pack' }); // seq 3: every 3
    expect(await latest()).toBe(3);
    await e2.send('order', 's1', { type: 'Ship' }); // seq 4: entered order.shipped
    expect(await latest()).toBe(4);
    await e2.send('order', 's1', { type: 'Deliver' }); // seq 5: neither
    expect(await latest()).toBe(4);
    expect(await e2.snapshot('order', 's1')).toEqual({ seq: 5 });
    expect(await latest()).toBe(5);
    await e2.close();
  });

  it('rebuilds an instance from snapshot + events equal to the stored state, and from events alone', async () => {
    await engine.create('order', 'r1', { input: { total: 40 } });
    await engine.send('order', 'r1', { type: 'Pay' });
    await engine.snapshot('order', 'r1');
    await engine.send('order', 'r1', { type: 'Pack' });
    await engine.send('order', 'r1', { type: 'Ship', carrier: 'dhl' });
    const stored = await engine.get('order', 'r1');
    const replayed = await engine.replay('order', 'r1');
    expect(replayed).toEqual({
      value: stored.value,
      context: stored.context,
      status: stored.status,
      seq: stored.seq,
    });
    if (!t.reopen) return;
    await engine.close();
    engine = await createEngine({ store: t.reopen(), machines: [orderMachine], clock });
    expect(await engine.get('order', 'r1')).toEqual(stored);
    const next = await engine.send('order', 'r1', { type: 'Deliver' });
    expect(next).toMatchObject({
      seq: 5,
      value: 'delivered',
      status: 'done',
      context: { carrier: 'dhl' },
    });
  });
});
