import { describe, expect, it } from 'vitest';
import { harness, ORDERS, problemOf } from '../test-support/harness.js';
import { drain, readTransitions } from '../test-support/sse.js';

const watch = `${ORDERS}/o-1/watch`;

async function order() {
  const h = await harness({ heartbeatMs: 20 });
  await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
  return h;
}

describe('GET …/watch', () => {
  it('given history and then live events, then every transition arrives once, in order, with ids = seq', async () => {
    const h = await order();
    await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pay' });
    const res = await h.call('GET', watch);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reading = readTransitions(res, 4);
    await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pack' });
    await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Ship', carrier: 'dhl' });
    const got = await reading;
    expect(got.map((t) => t.id)).toEqual(['1', '2', '3', '4']);
    expect(got.map((t) => t.data.event.type)).toEqual(['xstate.init', 'Pay', 'Pack', 'Ship']);
    expect(got[0]?.data.state).toBeNull();
    expect(got[3]?.data.state).toMatchObject({ value: 'shipped', status: 'active' });
  });

  it('given Last-Event-ID, then it resumes after that seq', async () => {
    const h = await order();
    await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pay' });
    await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pack' });
    const got = await readTransitions(
      await h.call('GET', watch, undefined, { 'last-event-id': '2' }),
      1,
    );
    expect(got.map((t) => [t.id, t.data.event.type])).toEqual([['3', 'Pack']]);
  });

  it('given transitions committed while history is being read, then none is lost or doubled', async () => {
    const h = await order();
    const res = await h.call('GET', watch);
    const sends = Promise.all(
      ['Pay', 'Pack', 'Ship', 'Deliver'].map((type) =>
        h.call('POST', `${ORDERS}/o-1/events`, { type }),
      ),
    );
    const text = await drain(res); // the stream ends itself when the order is delivered (final)
    await sends;
    const ids = [...text.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual([1, 2, 3, 4, 5]);
  });

  it('given a done instance, then the stream sends its history and ends', async () => {
    const h = await order();
    await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Cancel' });
    const text = await drain(await h.call('GET', watch));
    expect(text.match(/^event: transition$/gm)).toHaveLength(2);
  });

  it('sends heartbeat comments, and ends when the server shuts down', async () => {
    const h = await order();
    const res = await h.call('GET', watch);
    setTimeout(() => h.shutdown.abort(), 80);
    const text = await drain(res);
    expect(text).toContain(': ping');
  });

  it('given a checkout that runs by itself (durable activities), then watching it shows every step until it completes', async () => {
    const h = await harness();
    const checkouts = '/v1/machines/checkout/instances';
    const created = await h.call('POST', checkouts, {
      id: 'c-1',
      input: { items: ['book'], amount: 20 },
    });
    expect(created.status).toBe(201);
    const text = await drain(await h.call('GET', `${checkouts}/c-1/watch`));
    const types = [...text.matchAll(/"type":"([^"]+)","payload"/g)].map((m) => m[1]);
    expect(types).toEqual([
      'xstate.init',
      'xstate.done.actor.reserve',
      'xstate.done.actor.charge',
      'xstate.done.actor.ship',
    ]);
    expect(text).toContain('"status":"done"');
  });

  it.each([
    [`${ORDERS}/nope/watch`, {}, 404],
    [watch, { 'last-event-id': 'abc' }, 400],
  ])('GET %s %j is %i problem+json, not a stream', async (path, headers, status) => {
    const h = await order();
    expect(await problemOf(await h.call('GET', path, undefined, headers))).toMatchObject({
      status,
    });
  });
});
