import { describe, expect, it } from 'vitest';
import { problemOf } from '../test-support/harness.js';
import { OPERATOR_POLICIES, operatorHarness } from '../test-support/operator-harness.js';

const BULK = '/v1/machines/order/bulk/send';

async function pendingOrders(ids: string[], auth = false) {
  const h = await operatorHarness({ auth });
  const actor = { id: 'setup', roles: ['customer'] };
  for (const id of ids) await h.t.engine.create('order', id, { input: { total: 5 }, actor });
  return h;
}

describe('POST /v1/machines/{machine}/bulk/send', () => {
  it('sends the event to a page of the selection and says where the next page starts', async () => {
    const h = await pendingOrders(['o1', 'o2', 'o3']);
    const first = await h.call('POST', BULK, {
      operation: 'op-1',
      event: { type: 'Cancel', reason: 'recall' },
      state: 'pending',
      limit: 2,
    });
    expect(await first.json()).toEqual({
      operation: 'op-1',
      processed: 2,
      sent: 2,
      duplicates: 0,
      failed: 0,
      skipped: 0,
      failures: [],
      next: 'o2',
    });
    const rest = await h.call('POST', BULK, {
      operation: 'op-1',
      event: { type: 'Cancel', reason: 'recall' },
      state: 'pending',
      limit: 2,
      cursor: 'o2',
    });
    expect(await rest.json()).toMatchObject({ processed: 1, sent: 1, next: null });
    expect(await h.t.engine.get('order', 'o3')).toMatchObject({
      value: 'cancelled',
      context: { cancelReason: 'recall' },
    });
  });

  it('given a run that crashed half-way, when the operation runs again from the start, then nothing is sent twice', async () => {
    const h = await pendingOrders(['o1', 'o2', 'o3', 'o4']);
    const body = { operation: 'pay-all', event: { type: 'Pay' }, status: 'active', limit: 2 };
    expect(await (await h.call('POST', BULK, body)).json()).toMatchObject({ sent: 2, next: 'o2' });
    // the client died here; it starts over with the same operation id
    const again = await (await h.call('POST', BULK, body)).json();
    expect(again).toMatchObject({ processed: 2, sent: 0, duplicates: 2, failed: 0 });
    const last = await (await h.call('POST', BULK, { ...body, cursor: 'o2' })).json();
    expect(last).toMatchObject({ sent: 2, duplicates: 0 });
    for (const id of ['o1', 'o2', 'o3', 'o4']) {
      const { events } = await h.t.engine.history('order', id);
      expect(
        events.filter((e) => e.type === 'Pay'),
        id,
      ).toHaveLength(1);
    }
  });

  it('reports the instances whose event was not applied, with their codes', async () => {
    const h = await pendingOrders(['o1', 'o2']);
    await h.t.engine.send('order', 'o2', { type: 'Pay' });
    const res = await h.call('POST', BULK, { operation: 'pack', event: { type: 'Pack' } });
    expect(await res.json()).toMatchObject({
      processed: 2,
      sent: 1,
      failed: 1,
      failures: [{ id: 'o1', code: 'EVENT_NOT_ACCEPTED' }],
    });
  });

  it('refuses bad requests whole, and needs the operate rule', async () => {
    const h = await pendingOrders(['o1'], true);
    const body = { operation: 'op', event: { type: 'Pay' } };
    for (const bad of [
      { ...body, operation: '' },
      { ...body, event: { type: 'xstate.stop' } },
      { ...body, limit: 5000 },
      { ...body, colour: 'red' },
    ]) {
      const res = await h.call('POST', BULK, bad, ['ops']);
      expect(await problemOf(res), JSON.stringify(bad)).toMatchObject({ status: 400 });
    }
    const denied = await h.call('POST', BULK, body, ['viewer', 'customer']);
    expect(await problemOf(denied)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const noEventRight = await (await h.call('POST', BULK, body, ['ops'])).json();
    expect(noEventRight).toMatchObject({ sent: 0, failed: 1, failures: [{ code: 'FORBIDDEN' }] });
    const allowed = await (await h.call('POST', BULK, body, ['ops', 'customer'])).json();
    expect(allowed).toMatchObject({ sent: 1 });
  });

  it('leaves alone, and does not name, instances the read guard hides; emits of them are hidden too', async () => {
    const base = OPERATOR_POLICIES['*'] ?? {};
    const policies = {
      '*': {
        ...base,
        read: {
          roles: ['ops', 'customer'],
          guard: (_: unknown, s: { context: unknown }) =>
            (s.context as { total: number }).total < 100 || 'big orders are private',
        },
      },
    };
    const h = await operatorHarness({ auth: true, policies });
    const actor = { id: 'setup', roles: ['customer'] };
    await h.t.engine.create('order', 'small', { input: { total: 5 }, actor });
    await h.t.engine.create('order', 'big', { input: { total: 500 }, actor });
    const body = { operation: 'pay', event: { type: 'Pay' } };
    const res = await (await h.call('POST', BULK, body, ['ops', 'customer'])).json();
    expect(res).toMatchObject({ processed: 2, sent: 1, skipped: 1, failures: [] });
    expect(await h.t.engine.get('order', 'big')).toMatchObject({ value: 'pending' });
    await h.t.engine.send('order', 'big', { type: 'Pay' }, { actor });
    const emits = (await (await h.call('GET', '/v1/emits', undefined, ['ops'])).json()) as {
      emits: { id: string }[];
      last: number;
    };
    expect(emits.emits.map((e) => e.id)).toEqual(['small']);
    expect(emits.last).toBe(2);
  });
});
