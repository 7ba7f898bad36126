import { describe, expect, it } from 'vitest';
import { problemOf } from '../test-support/harness.js';
import { operatorHarness } from '../test-support/operator-harness.js';
import { readSseMessages } from '../test-support/sse.js';

type Emit = { position: number; id: string; event: { type: string } };

/** Reads `count` SSE `emit` messages, then cancels the stream. */
const readEmits = (response: Response, count: number) =>
  readSseMessages<Emit>(response, 'emit', count);

async function paidOrders(ids: string[], auth = false) {
  const h = await operatorHarness({ auth });
  const actor = { id: 'setup', roles: ['customer'] };
  for (const id of ids) {
    await h.t.engine.create('order', id, { input: { total: 5 }, actor });
    await h.t.engine.send('order', id, { type: 'Pay' }, { actor });
  }
  return h;
}

describe('GET /v1/emits', () => {
  it('pages the emit log in commit order', async () => {
    const h = await paidOrders(['o1', 'o2', 'o3']);
    const first = await (await h.call('GET', '/v1/emits?limit=2')).json();
    expect(first).toMatchObject({
      emits: [
        { position: 1, id: 'o1', event: { type: 'order.paid', total: 5 } },
        { position: 2, id: 'o2' },
      ],
      next: 2,
      last: 2,
    });
    const rest = await (await h.call('GET', '/v1/emits?after=2')).json();
    expect(rest).toMatchObject({ emits: [{ position: 3, id: 'o3' }], next: null, last: 3 });
    const bad = await h.call('GET', '/v1/emits?after=-1');
    expect(await problemOf(bad)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('shows only emits of instances the caller may read, and moves past the others', async () => {
    const h = await paidOrders(['o1'], true);
    const viewer = (await (await h.call('GET', '/v1/emits', undefined, ['viewer'])).json()) as {
      emits: unknown[];
    };
    expect(viewer.emits).toHaveLength(1);
    const stranger = await (await h.call('GET', '/v1/emits', undefined, ['warehouse'])).json();
    expect(stranger).toEqual({ emits: [], next: null, last: 1 });
  });
});

describe('emit cursors', () => {
  it('keeps a named subscriber’s cursor', async () => {
    const h = await paidOrders([]);
    expect(await (await h.call('GET', '/v1/emits/cursors/billing')).json()).toEqual({
      subscriber: 'billing',
      position: 0,
    });
    const acked = await h.call('POST', '/v1/emits/cursors/billing', { position: 7 });
    expect(await acked.json()).toEqual({ subscriber: 'billing', position: 7 });
    expect(await h.t.engine.emitCursor('billing')).toBe(7);
    const bad = await h.call('POST', '/v1/emits/cursors/billing', { position: 'x' });
    expect(await problemOf(bad)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });
});

describe('GET /v1/emits/stream', () => {
  it('sends the log, then live emits, each once, with id = position', async () => {
    const h = await paidOrders(['o1']);
    const res = await h.call('GET', '/v1/emits/stream');
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reading = readEmits(res, 3);
    await h.t.engine.create('order', 'o2', { input: { total: 5 } });
    await h.t.engine.send('order', 'o2', { type: 'Pay' });
    await h.t.engine.create('order', 'o3', { input: { total: 5 } });
    await h.t.engine.send('order', 'o3', { type: 'Pay' });
    const got = await reading;
    expect(got.map((m) => [m.id, m.data.id])).toEqual([
      ['1', 'o1'],
      ['2', 'o2'],
      ['3', 'o3'],
    ]);
  });

  it('resumes after Last-Event-ID, after `after`, or from a subscriber’s cursor', async () => {
    const h = await paidOrders(['o1', 'o2', 'o3']);
    const byHeader = await readEmits(
      await h.app.request('/v1/emits/stream', { headers: { 'last-event-id': '2' } }),
      1,
    );
    expect(byHeader.map((m) => m.id)).toEqual(['3']);
    const byQuery = await readEmits(await h.call('GET', '/v1/emits/stream?after=1'), 1);
    expect(byQuery.map((m) => m.id)).toEqual(['2']);
    await h.t.engine.setEmitCursor('billing', 1);
    const byCursor = await readEmits(await h.call('GET', '/v1/emits/stream?subscriber=billing'), 2);
    expect(byCursor.map((m) => m.id)).toEqual(['2', '3']);
    expect(await h.t.engine.emitCursor('billing')).toBe(1); // manual ack: the stream leaves it
  });

  it('with ack=auto, moves the subscriber’s cursor as it sends, so a reconnect resumes after it', async () => {
    const h = await paidOrders(['o1', 'o2']);
    const first = await readEmits(
      await h.call('GET', '/v1/emits/stream?subscriber=audit&ack=auto'),
      2,
    );
    expect(first.map((m) => m.id)).toEqual(['1', '2']);
    await expect.poll(() => h.t.engine.emitCursor('audit')).toBe(2);
    await h.t.engine.create('order', 'o3', { input: { total: 5 } });
    await h.t.engine.send('order', 'o3', { type: 'Pay' });
    const again = await readEmits(
      await h.call('GET', '/v1/emits/stream?subscriber=audit&ack=auto'),
      1,
    );
    expect(again.map((m) => m.id)).toEqual(['3']);
    const bad = await h.call('GET', '/v1/emits/stream?ack=auto');
    expect(await problemOf(bad)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });
});
