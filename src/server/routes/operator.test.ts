import { describe, expect, it } from 'vitest';
import { problemOf } from '../test-support/harness.js';
import { operatorHarness } from '../test-support/operator-harness.js';

const ORDERS = '/v1/machines/order/instances';
const PAYMENTS = '/v1/machines/payment/instances';

describe('GET …/instances/{id}/audit', () => {
  it('pages the audit log, rejections included, and says where to read on', async () => {
    const h = await operatorHarness();
    await h.t.engine.create('order', 'o1', { input: { total: 10 } });
    await h.t.engine.send('order', 'o1', { type: 'Ship' }).catch(() => {}); // rejected_invalid
    await h.t.engine.send('order', 'o1', { type: 'Pay' });
    const first = await h.call('GET', `${ORDERS}/o1/audit?limit=2`);
    expect(first.status).toBe(200);
    const page = (await first.json()) as { entries: { outcome: string }[]; next: number };
    expect(page.entries.map((e) => e.outcome)).toEqual(['applied', 'rejected_invalid']);
    expect(page.next).toBe(2);
    const rest = await (await h.call('GET', `${ORDERS}/o1/audit?after=2`)).json();
    expect(rest).toMatchObject({
      entries: [{ outcome: 'applied', eventType: 'Pay', position: 3 }],
      next: null,
    });
  });

  it('answers bad queries, unknown instances and unreadable ones with problem+json', async () => {
    const h = await operatorHarness({ auth: true });
    await h.call('POST', ORDERS, { id: 'o1', input: { total: 1 } }, ['customer']);
    const anonymous = await h.call('GET', `${ORDERS}/o1/audit`);
    expect(await problemOf(anonymous)).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    const bad = await h.call('GET', `${ORDERS}/o1/audit?limit=0`, undefined, ['viewer']);
    expect(await problemOf(bad)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    const missing = await h.call('GET', `${ORDERS}/nope/audit`, undefined, ['viewer']);
    expect(await problemOf(missing)).toMatchObject({ status: 404, code: 'INSTANCE_NOT_FOUND' });
    const denied = await h.call('GET', `${ORDERS}/o1/audit`, undefined, ['warehouse']);
    expect(await problemOf(denied)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await h.call('GET', `${ORDERS}/o1/audit`, undefined, ['viewer'])).status).toBe(200);
  });
});

describe('GET …/instances/{id}/pending', () => {
  it('answers why an instance waits: its timers and its activity waiting for a retry', async () => {
    const h = await operatorHarness();
    await h.t.engine.create('payment', 'p1');
    await h.t.settle();
    const res = await h.call('GET', `${PAYMENTS}/p1/pending`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      machine: 'payment',
      id: 'p1',
      status: 'active',
      value: 'charging',
      timers: [{ timerId: expect.stringContaining('xstate.after'), status: 'pending' }],
      effects: [
        {
          effectId: 'payment/p1/1/0',
          effect: { kind: 'activity.start', src: 'charge' },
          attempts: 1,
          lastError: expect.stringContaining('failed on attempt 1'),
        },
      ],
    });
  });
});

describe('operator actions', () => {
  it('given an activity waiting for its retry, when an operator retries it now, then it runs at once', async () => {
    const h = await operatorHarness();
    await h.t.engine.create('payment', 'p1');
    await h.t.settle();
    const id = encodeURIComponent('payment/p1/1/0');
    const res = await h.call('POST', `${PAYMENTS}/p1/effects/${id}/retry`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ effect: { nextAttemptAt: h.t.clock.now() } });
    await h.t.settle();
    expect(await h.t.engine.get('payment', 'p1')).toMatchObject({ value: 'paid' });
    const again = await h.call('POST', `${PAYMENTS}/p1/effects/${id}/retry`);
    expect(await problemOf(again)).toMatchObject({ status: 404, code: 'EFFECT_NOT_FOUND' });
  });

  it('stops an instance, with a reason in its history, once', async () => {
    const h = await operatorHarness();
    await h.t.engine.create('order', 'o1', { input: { total: 10 } });
    const res = await h.call('POST', `${ORDERS}/o1/stop`, { reason: 'duplicate order' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 'stopped', duplicate: false });
    const { events } = await h.t.engine.history('order', 'o1');
    expect(events.at(-1)).toMatchObject({
      type: 'xstate.stop',
      payload: { reason: 'duplicate order' },
    });
    const again = await h.call('POST', `${ORDERS}/o1/stop`);
    expect(await problemOf(again)).toMatchObject({ status: 409, code: 'INSTANCE_DONE' });
    const bad = await h.call('POST', `${ORDERS}/o1/stop`, { reason: 'x', extra: 1 });
    expect(await problemOf(bad)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('needs the operate rule: a reader or a customer may not stop or retry, ops may, and denials are audited', async () => {
    const h = await operatorHarness({ auth: true });
    await h.call('POST', PAYMENTS, { id: 'p1' }, ['ops']);
    await h.t.settle();
    const retry = `${PAYMENTS}/p1/effects/${encodeURIComponent('payment/p1/1/0')}/retry`;
    for (const roles of [['viewer'], ['customer']]) {
      const stop = await h.call('POST', `${PAYMENTS}/p1/stop`, undefined, roles);
      expect(await problemOf(stop), roles.join()).toMatchObject({ status: 403, code: 'FORBIDDEN' });
      const denied = await h.call('POST', retry, undefined, roles);
      expect(await problemOf(denied)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
    const { entries } = await h.t.engine.audit('payment', 'p1');
    expect(entries.at(-1)).toMatchObject({ outcome: 'rejected_auth', eventType: 'xstate.stop' });
    expect((await h.call('POST', retry, undefined, ['ops'])).status).toBe(200);
    const stopped = await h.call('POST', `${PAYMENTS}/p1/stop`, undefined, ['ops']);
    expect(await stopped.json()).toMatchObject({ status: 'stopped' });
  });
});
