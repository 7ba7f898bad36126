import { afterEach, describe, expect, it } from 'vitest';
import { emit, setup } from 'xstate';
import { orderMachine } from '../../../examples/order.js';
import type { EmitRecord } from '../../store/types.js';
import { createTestEngine, type TestEngine } from '../../testing/test-engine.js';
import { testStores } from '../test-support/stores.js';

let t: TestEngine;
afterEach(() => t?.close());

interface Call {
  params: unknown;
  idempotencyKey: string;
  attempt: number;
  context: unknown;
  event: unknown;
}

function notifier(calls: Call[], failTimes = 0) {
  let failures = 0;
  return setup({
    types: { context: {} as { n: number } },
    actions: {
      notify: (args: object, params: { template: string }) => {
        const a = args as Omit<Call, 'params'>;
        if (failures++ < failTimes) throw new Error('mail server down');
        calls.push({
          params,
          idempotencyKey: a.idempotencyKey,
          attempt: a.attempt,
          context: a.context,
          event: a.event,
        });
      },
    },
  }).createMachine({
    id: 'notifier',
    context: { n: 1 },
    on: {
      Ping: {
        actions: [{ type: 'notify', params: { template: 'pong' } }, emit({ type: 'pinged' })],
      },
    },
  });
}

describe('custom actions', () => {
  it('run after commit, with the effect id as idempotency key, the event and the committed context', async () => {
    const calls: Call[] = [];
    t = await createTestEngine({ machines: [notifier(calls)] });
    await t.engine.create('notifier', 'n1');
    await t.engine.send('notifier', 'n1', { type: 'Ping', by: 'me' });
    expect(calls).toEqual([]);
    await t.settle();
    expect(calls).toEqual([
      {
        params: { template: 'pong' },
        idempotencyKey: 'notifier/n1/2/0',
        attempt: 1,
        context: { n: 1 },
        event: { type: 'Ping', by: 'me' },
      },
    ]);
  });

  it('are retried until they succeed (at least once), with the same key', async () => {
    const calls: Call[] = [];
    t = await createTestEngine({
      machines: [notifier(calls, 2)],
      actions: { initialDelayMs: 500 },
    });
    await t.engine.create('notifier', 'n1');
    await t.engine.send('notifier', 'n1', { type: 'Ping' });
    await t.advanceBy('5s');
    expect(calls).toMatchObject([{ idempotencyKey: 'notifier/n1/2/0', attempt: 3 }]);
  });

  it('never run during replay or recovery', async () => {
    const calls: Call[] = [];
    const s = testStores.sqlite!();
    const machine = notifier(calls);
    t = await createTestEngine({ machines: [machine], store: s.store });
    await t.engine.create('notifier', 'n1');
    await t.engine.send('notifier', 'n1', { type: 'Ping' });
    await t.settle();
    await t.close();
    t = await createTestEngine({ machines: [machine], store: s.reopen!(), cacheSize: 1 });
    expect(await t.engine.replay('notifier', 'n1')).toMatchObject({ seq: 2 });
    await t.engine.send('notifier', 'n1', { type: 'Ping' }); // loads by replay first
    await t.settle();
    expect(calls.map((c) => c.idempotencyKey)).toEqual(['notifier/n1/2/0', 'notifier/n1/3/0']);
    s.cleanup();
  });
});

describe('emitted events', () => {
  it('reach subscribers in commit order, at least once, and the cursor survives a restart', async () => {
    const s = testStores.sqlite!();
    t = await createTestEngine({ machines: [orderMachine], store: s.store });
    const seen: EmitRecord[] = [];
    t.engine.subscribe('billing', (e) => {
      seen.push(e);
    });
    await t.engine.create('order', 'o1', { input: { total: 40 } });
    await t.engine.send('order', 'o1', { type: 'Pay' });
    await t.engine.send('order', 'o1', { type: 'Ship', carrier: 'ups' });
    await t.settle();
    expect(seen.map((e) => [e.position, e.event])).toEqual([
      [1, { type: 'order.paid', total: 40 }],
      [2, { type: 'order.shipped', carrier: 'ups' }],
    ]);
    await t.close();

    t = await createTestEngine({ machines: [orderMachine], store: s.reopen!() });
    const after: EmitRecord[] = [];
    let failOnce = true;
    t.engine.subscribe('billing', (e) => {
      if (failOnce) {
        failOnce = false;
        throw new Error('billing is down');
      }
      after.push(e);
    });
    const fresh: EmitRecord[] = [];
    t.engine.subscribe(
      'analytics',
      (e) => {
        fresh.push(e);
      },
      { types: ['order.paid'] },
    );
    await t.engine.create('order', 'o2', { input: { total: 5 } });
    await t.engine.send('order', 'o2', { type: 'Pay' });
    await t.advanceBy('10s');
    expect(after.map((e) => [e.position, e.id])).toEqual([[3, 'o2']]);
    expect(fresh.map((e) => e.id)).toEqual(['o1', 'o2']);
    s.cleanup();
  });
});
