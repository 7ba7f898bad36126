import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { orderMachine } from '../../../examples/order.js';
import { createEngine } from '../../runtime/engine.js';
import type { Engine } from '../../runtime/types.js';
import type { EmitRecord, Store } from '../types.js';
import { postgresStore } from './postgres-store.js';
import { dropSchema, pgUrl, testSchema } from './test-support/pg-server.js';

const lamp = setup({ types: { context: {} as { switches: number } } }).createMachine({
  id: 'lamp',
  initial: 'off',
  context: { switches: 0 },
  on: { Tick: { actions: assign({ switches: ({ context }) => context.switches + 1 }) } },
  states: { off: { on: { TurnOn: 'on' } }, on: { on: { TurnOff: 'off' } } },
});

describe('the engine on PostgreSQL', () => {
  let url: string;
  let schema: string;
  const open: Engine[] = [];
  const engine = async (): Promise<{ engine: Engine; store: Store }> => {
    const store = postgresStore({ url, schema, pool: { max: 4 } });
    const e = await createEngine({ store, machines: [orderMachine, lamp] });
    open.push(e);
    return { engine: e, store };
  };

  beforeEach(async () => {
    url = await pgUrl();
    schema = testSchema();
  });
  afterEach(async () => {
    for (const e of open.splice(0)) await e.close();
    await dropSchema(url, schema);
  });

  it('runs the order lifecycle: events, timers, effects, emits to a subscriber, history and replay', async () => {
    const { engine: e, store } = await engine();
    const emitted: EmitRecord[] = [];
    e.subscribe('ledger', (emit) => {
      emitted.push(emit);
    });
    await e.create('order', 'o1', { input: { total: 40 }, idempotencyKey: 'create-o1' });
    expect(await store.listTimers({ machine: 'order', id: 'o1' })).toHaveLength(1);
    await e.send('order', 'o1', { type: 'Pay' }, { idempotencyKey: 'pay-1' });
    const again = await e.send('order', 'o1', { type: 'Pay' }, { idempotencyKey: 'pay-1' });
    expect(again).toMatchObject({ seq: 2, duplicate: true });
    await e.send('order', 'o1', { type: 'Ship', carrier: 'dhl' });
    expect(await e.get('order', 'o1')).toMatchObject({ value: 'shipped', seq: 3 });
    await expect
      .poll(() => emitted.map((x) => x.event.type))
      .toEqual(['order.paid', 'order.shipped']);
    await expect.poll(() => store.listOutbox({ machine: 'order', id: 'o1' })).toEqual([]);
    expect(await store.listTimers({ machine: 'order', id: 'o1' })).toEqual([]);
    const { events } = await e.history('order', 'o1');
    expect(events.map((x) => x.type)).toEqual(['xstate.init', 'Pay', 'Ship']);
    const state = await e.get('order', 'o1');
    expect(await e.replay('order', 'o1')).toEqual({
      value: state.value,
      context: state.context,
      status: state.status,
      seq: 3,
    });
    const { instances } = await e.list('order', { state: 'shipped' });
    expect(instances.map((i) => i.id)).toEqual(['o1']);
  });

  it('lets two engines write one instance: the loser of a race reloads and retries', async () => {
    const [a, b] = [await engine(), await engine()];
    const conflicts: number[] = [];
    const commit = a.store.commit.bind(a.store);
    a.store.commit = async (writes) => {
      const outcomes = await commit(writes);
      for (const o of outcomes)
        if (!o.ok && o.code === 'SEQUENCE_CONFLICT') conflicts.push(o.actual!);
      return outcomes;
    };
    await a.engine.create('lamp', 'l1');
    await a.engine.send('lamp', 'l1', { type: 'Tick' }); // a caches seq 2
    await b.engine.send('lamp', 'l1', { type: 'Tick' }); // seq 3, behind a's back
    expect(await a.engine.send('lamp', 'l1', { type: 'Tick' })).toMatchObject({ seq: 4 });
    expect(conflicts).toEqual([3]); // a's first try expected 2, lost, reloaded, won

    // Two writers at once, each sending as its callers do: one event, then the next. Each
    // mostly starts from a state the other has moved past, loses, reloads and retries.
    // (Writers that hammer one instance without pause can exhaust the bounded retries:
    // SEQUENCE_CONFLICT then reaches the caller.)
    const writer = async (e: Engine, name: string) => {
      const seqs: number[] = [];
      for (let n = 0; n < 15; n++) {
        const r = await e.send('lamp', 'l1', { type: 'Tick' }, { idempotencyKey: `${name}-${n}` });
        seqs.push(r.seq);
        await new Promise((resolve) => setTimeout(resolve, 5 + Math.random() * 15));
      }
      return seqs;
    };
    const seqs = (await Promise.all([writer(a.engine, 'a'), writer(b.engine, 'b')])).flat();
    expect(new Set(seqs).size).toBe(30); // each committed once, in one order
    expect(await b.engine.get('lamp', 'l1')).toMatchObject({ seq: 34, context: { switches: 33 } });
    const { events } = await a.engine.history('lamp', 'l1', { limit: 100 });
    expect(events.map((x) => x.seq)).toEqual(Array.from({ length: 34 }, (_, i) => i + 1));
  });

  it('judges an event on the current state, not on a state another engine has moved past', async () => {
    const [a, b] = [(await engine()).engine, (await engine()).engine];
    await a.create('lamp', 'l1');
    await a.send('lamp', 'l1', { type: 'TurnOn' }); // a now remembers "on"
    await b.send('lamp', 'l1', { type: 'TurnOff' }); // ... which is no longer true
    // "on" would refuse TurnOn; the current state "off" accepts it.
    expect(await a.send('lamp', 'l1', { type: 'TurnOn' })).toMatchObject({ value: 'on', seq: 4 });
    await expect(b.send('lamp', 'l1', { type: 'TurnOn' })).rejects.toMatchObject({
      code: 'EVENT_NOT_ACCEPTED',
    });
    const audit = (await a.audit('lamp', 'l1')).entries;
    expect(audit.map((x) => [x.eventType, x.outcome])).toEqual([
      ['xstate.init', 'applied'],
      ['TurnOn', 'applied'],
      ['TurnOff', 'applied'],
      ['TurnOn', 'applied'],
      ['TurnOn', 'rejected_invalid'],
    ]);
  });
});
