import { describe, expect, it } from 'vitest';
import { harness, ORDERS, problemOf } from './test-support/harness.js';

const pay = (id: string) => `${ORDERS}/${id}/events`;

describe('create', () => {
  it('given a valid body, then 201 with the state and a Location', async () => {
    const h = await harness();
    const res = await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`${ORDERS}/o-1`);
    expect(await res.json()).toMatchObject({
      id: 'o-1',
      value: 'pending',
      seq: 1,
      duplicate: false,
    });
  });

  it('given no id, then a UUID is chosen', async () => {
    const h = await harness();
    const body = (await (await h.call('POST', ORDERS, { input: { total: 5 } })).json()) as {
      id: string;
    };
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('given the same Idempotency-Key and input, then 200 with the recorded result and nothing new', async () => {
    const h = await harness();
    const headers = { 'idempotency-key': 'create-1' };
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } }, headers);
    const again = await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } }, headers);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true, seq: 1 });
  });

  it('given an existing id, then 409 INSTANCE_EXISTS', async () => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    const res = await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    expect(res.status).toBe(409);
    expect(await problemOf(res)).toMatchObject({ code: 'INSTANCE_EXISTS', status: 409 });
  });

  it.each([
    ['an unknown field', { id: 'o-1', input: { total: 1 }, extra: true }],
    ['a bad id', { id: '-nope', input: { total: 1 } }],
    ['an input failing the schema', { id: 'o-1', input: { total: -1 } }],
    ['an array body', [1, 2]],
  ])('given %s, then 400 VALIDATION_FAILED', async (_, body) => {
    const h = await harness();
    const res = await h.call('POST', ORDERS, body);
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('send', () => {
  it('given Pay to a pending order, then 200 in paid', async () => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    const res = await h.call('POST', pay('o-1'), { type: 'Pay', amount: 40 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ value: { paid: 'awaitingPacking' }, seq: 2 });
  });

  it('given a payload failing the declared schema, then 400 with the issues and nothing recorded', async () => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    const res = await h.call('POST', pay('o-1'), { type: 'Pay', amount: 'lots' });
    const problem = await problemOf(res);
    expect(res.status).toBe(400);
    expect(problem.details).toMatchObject({ issues: [{ path: ['amount'] }] });
    expect((await h.engine.history('order', 'o-1')).events).toHaveLength(1);
  });

  it('given an event the state does not accept, then 409 EVENT_NOT_ACCEPTED', async () => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    const res = await h.call('POST', pay('o-1'), { type: 'Deliver' });
    expect(res.status).toBe(409);
    expect(await problemOf(res)).toMatchObject({
      type: 'urn:stator:problem:event-not-accepted',
      title: 'Event not accepted',
      status: 409,
      code: 'EVENT_NOT_ACCEPTED',
      instance: pay('o-1'),
    });
  });

  it('given an event type the machine handles nowhere (a typo), then 400 EVENT_UNKNOWN', async () => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    const res = await h.call('POST', pay('o-1'), { type: 'Pya' });
    expect(res.status).toBe(400);
    expect(await problemOf(res)).toMatchObject({
      type: 'urn:stator:problem:event-unknown',
      code: 'EVENT_UNKNOWN',
      details: { eventType: 'Pya' },
    });
  });

  it('given a repeated Idempotency-Key, then the recorded result; a different event under it is 409', async () => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    const key = { 'idempotency-key': 'pay-1' };
    await h.call('POST', pay('o-1'), { type: 'Pay' }, key);
    const again = await h.call('POST', pay('o-1'), { type: 'Pay' }, key);
    expect(await again.json()).toMatchObject({ duplicate: true, seq: 2 });
    const other = await h.call('POST', pay('o-1'), { type: 'Cancel' }, key);
    expect(await problemOf(other)).toMatchObject({ code: 'IDEMPOTENCY_MISMATCH', status: 409 });
  });

  it('given a final instance, then 409 INSTANCE_DONE', async () => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    await h.call('POST', pay('o-1'), { type: 'Cancel' });
    const res = await h.call('POST', pay('o-1'), { type: 'Pay' });
    expect(await problemOf(res)).toMatchObject({ code: 'INSTANCE_DONE', status: 409 });
  });

  it('given a traceparent header, then it is stored with the event', async () => {
    const h = await harness();
    const traceparent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } }, { traceparent });
    const { events } = await h.engine.history('order', 'o-1');
    expect(events[0]?.traceContext).toEqual({ traceparent });
  });
});

describe('get and history', () => {
  it('given an instance, then GET returns it and history pages by seq', async () => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    await h.call('POST', pay('o-1'), { type: 'Pay' });
    expect(await (await h.call('GET', `${ORDERS}/o-1`)).json()).toMatchObject({ seq: 2 });
    const first = await (await h.call('GET', `${ORDERS}/o-1/history?limit=1`)).json();
    expect(first).toMatchObject({ events: [{ seq: 1, type: 'xstate.init' }], next: 1 });
    const rest = await (await h.call('GET', `${ORDERS}/o-1/history?after=1`)).json();
    expect(rest).toMatchObject({ events: [{ seq: 2, type: 'Pay' }], next: null });
  });

  it.each([
    [`${ORDERS}/nope`, 404, 'INSTANCE_NOT_FOUND'],
    ['/v1/machines/ghost/instances/o-1', 404, 'MACHINE_NOT_FOUND'],
    [`${ORDERS}/${'x'.repeat(201)}`, 400, 'VALIDATION_FAILED'],
    [`${ORDERS}/a%20b`, 400, 'VALIDATION_FAILED'],
    [`${ORDERS}/o-1/history?limit=0`, 400, 'VALIDATION_FAILED'],
    [`${ORDERS}/o-1/history?limit=abc`, 400, 'VALIDATION_FAILED'],
    [`${ORDERS}/o-1/history?afterr=1`, 400, 'VALIDATION_FAILED'],
    [`${ORDERS}/o-1/history?after=1&after=2`, 400, 'VALIDATION_FAILED'],
  ])('GET %s is %i %s', async (path, status, code) => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    const res = await h.call('GET', path);
    expect(res.status).toBe(status);
    expect(await problemOf(res)).toMatchObject({ code, status });
  });
});
