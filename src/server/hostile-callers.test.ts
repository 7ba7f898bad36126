/**
 * What a hostile or unlucky caller can learn or take, over HTTP with the
 * example module's policies: nothing but a 403 without the right, nobody
 * else's recorded results, and bounded server resources.
 */
import { describe, expect, it } from 'vitest';
import { issueApiKey } from './auth/api-keys.js';
import { harness, manualClock, ORDERS, problemOf } from './test-support/harness.js';

async function withKeys(options: Parameters<typeof harness>[0] = {}) {
  const h = await harness({ auth: (store) => ({ apiKeys: store }), ...options });
  const keys: Record<string, { token: string; keyId: string; header: Record<string, string> }> = {};
  const key = async (name: string, roles: string[]) => {
    const issued = issueApiKey({ name, subject: name, roles, now: 1 });
    await h.store.putApiKey(issued.row);
    keys[name] = {
      token: issued.token,
      keyId: issued.row.keyId,
      header: { authorization: `Bearer ${issued.token}` },
    };
  };
  await key('alice', ['customer']);
  await key('carol', ['customer']);
  await key('mallory', []);
  await key('warehouse', ['warehouse']);
  return {
    h,
    keys: keys as Record<'alice' | 'carol' | 'mallory' | 'warehouse', (typeof keys)[string]>,
  };
}

const events = (id: string) => `${ORDERS}/${id}/events`;

describe('idempotency keys under hostile callers', () => {
  it("a caller replaying alice's key gets a 403 without a role, and a fresh key with one", async () => {
    const { h, keys } = await withKeys();
    await h.call('POST', ORDERS, { id: 'o-a1', input: { total: 40 } }, keys.alice.header);
    const pay = { 'idempotency-key': 'pay-o-a1' };
    const paid = await h.call(
      'POST',
      events('o-a1'),
      { type: 'Pay' },
      { ...keys.alice.header, ...pay },
    );
    expect(paid.status).toBe(200);

    // No role: 403, nothing of alice's result, and the denial is audited.
    const replay = await h.call(
      'POST',
      events('o-a1'),
      { type: 'Pay' },
      { ...keys.mallory.header, ...pay },
    );
    const problem = await problemOf(replay);
    expect(problem).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(JSON.stringify(problem)).not.toMatch(/awaitingPacking|"total"/);
    const different = await h.call(
      'POST',
      events('o-a1'),
      { type: 'Pay', amount: 1 },
      { ...keys.mallory.header, ...pay },
    );
    expect(await problemOf(different)).toMatchObject({ code: 'FORBIDDEN' });
    const { entries } = await h.engine.audit('order', 'o-a1');
    expect(entries.filter((e) => e.outcome === 'rejected_auth').map((e) => e.actor?.id)).toEqual([
      'mallory',
      'mallory',
    ]);

    // With the role, the key is carol's own: her Pay is a new request, refused by the order's state.
    const carol = await h.call(
      'POST',
      events('o-a1'),
      { type: 'Pay' },
      { ...keys.carol.header, ...pay },
    );
    expect(await problemOf(carol)).toMatchObject({ code: 'EVENT_NOT_ACCEPTED' });
    const mismatch = await h.call(
      'POST',
      events('o-a1'),
      { type: 'Pay', amount: 1 },
      { ...keys.carol.header, ...pay },
    );
    expect((await problemOf(mismatch)).code).not.toBe('IDEMPOTENCY_MISMATCH');

    // Alice's own retry still returns her recorded result.
    const again = await h.call(
      'POST',
      events('o-a1'),
      { type: 'Pay' },
      { ...keys.alice.header, ...pay },
    );
    expect(await again.json()).toMatchObject({ duplicate: true, seq: 2 });
  });

  it('a create without an id happens once per Idempotency-Key, and returns the same instance', async () => {
    const { h, keys } = await withKeys();
    const headers = { ...keys.alice.header, 'idempotency-key': 'create-1' };
    const answers = [];
    for (let i = 0; i < 3; i++)
      answers.push(await h.call('POST', ORDERS, { input: { total: 5 } }, headers));
    expect(answers.map((r) => r.status)).toEqual([201, 200, 200]);
    const bodies = await Promise.all(
      answers.map((r) => r.json() as Promise<{ id: string; duplicate: boolean }>),
    );
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect(bodies.map((b) => b.duplicate)).toEqual([false, true, true]);
    const { instances } = await h.engine.list('order');
    expect(instances).toHaveLength(1);
    // The same key with another input is a mismatch, not a second instance.
    const other = await h.call('POST', ORDERS, { input: { total: 6 } }, headers);
    expect(await problemOf(other)).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH' });
    // Another caller's identical request is its own.
    const carol = await h.call(
      'POST',
      ORDERS,
      { input: { total: 5 } },
      { ...keys.carol.header, 'idempotency-key': 'create-1' },
    );
    expect(carol.status).toBe(201);
  });
});

describe('a caller without the right learns nothing but 403', () => {
  it.each([
    ['an event to an instance that does not exist', 'POST', events('nope'), { type: 'Pay' }],
    ['an event to an instance that is done', 'POST', events('o-9'), { type: 'Pay' }],
    ['a create of an id that exists', 'POST', ORDERS, { id: 'o-9', input: { total: 1 } }],
    ['a create with input its schema refuses', 'POST', ORDERS, { id: 'o-x', input: { total: -1 } }],
    [
      'an event with a payload its schema refuses',
      'POST',
      events('o-9'),
      { type: 'Pay', amount: 'x' },
    ],
  ])('%s', async (_, method, path, body) => {
    const { h, keys } = await withKeys();
    await h.call('POST', ORDERS, { id: 'o-9', input: { total: 40 } }, keys.alice.header);
    await h.call('POST', events('o-9'), { type: 'Cancel' }, keys.alice.header);
    const res = await h.call(method, path, body, keys.warehouse.header);
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    const told = JSON.stringify([problem.detail, problem.details]);
    expect(told).not.toMatch(
      /cancelled|pending|exists|not found|done|invalid|total|amount|issues/i,
    );
    expect(problem.details).toEqual({
      machine: 'order',
      id: expect.any(String),
      eventType: expect.any(String),
      reason: 'requires one of the roles customer, admin; warehouse has warehouse',
    });
  });

  it('denied requests for ids that do not exist write a bounded number of audit rows', async () => {
    const clock = manualClock();
    const { h, keys } = await withKeys({ clock });
    for (let i = 0; i < 100; i++) {
      const res = await h.call(
        'POST',
        events(`probe-${i}`),
        { type: 'Pay' },
        keys.warehouse.header,
      );
      expect(res.status).toBe(403);
    }
    // engine.audit() answers INSTANCE_NOT_FOUND for ids without an instance: read the store.
    let rows = 0;
    for (let i = 0; i < 100; i++)
      rows += (await h.store.readAudit({ machine: 'order', id: `probe-${i}` })).length;
    expect(rows).toBe(20);
    clock.advance(60_000);
    await h.call('POST', events('probe-next'), { type: 'Pay' }, keys.warehouse.header);
    const [row] = await h.store.readAudit({ machine: 'order', id: 'probe-next' });
    expect(row?.reason).toMatch(/80 more denials of this actor were not recorded since/);
  });
});
