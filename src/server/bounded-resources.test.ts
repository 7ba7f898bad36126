/** What one careless or hostile client can take from the server, and what readiness says. */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { memoryStore } from '../store/memory/memory-store.js';
import { faultyStore } from '../store/test-support/faulty-store.js';
import { createServer, type RunningServer } from './serve.js';
import { harness, problemOf } from './test-support/harness.js';

const notes = setup({}).createMachine({
  id: 'notes',
  context: { count: 0 },
  on: { Note: { actions: assign({ count: ({ context }) => context.count + 1 }) } },
});
const NOTES = '/v1/machines/notes/instances';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(options: Partial<Parameters<typeof createServer>[0]> = {}) {
  server = await createServer({
    module: { machines: [notes] },
    store: memoryStore(),
    port: 0,
    logger: (await import('../host/logger.js')).silentLogger,
    ...options,
  });
  return server;
}

const post = (url: string, path: string, body: unknown) =>
  fetch(`${url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/**
 * A raw HTTP/1.1 exchange: what the socket received until the server closed it
 * or ended a chunked response (or `ms` passed).
 */
function rawExchange(port: number, request: string, ms: number, paused = false) {
  const socket = connect(port, '127.0.0.1');
  socket.write(request);
  if (paused) socket.pause();
  const chunks: Buffer[] = [];
  let done: (ended: boolean) => void = () => {};
  const closed = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    done = (ended) => {
      clearTimeout(timer);
      resolve(ended);
    };
  });
  socket.on('data', (chunk) => {
    chunks.push(chunk);
    if (chunk.toString('latin1').endsWith('\r\n0\r\n\r\n')) done(true);
  });
  socket.once('close', () => done(true));
  return { socket, closed, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('bounded resources', () => {
  it('pages history by payload bytes, streamed, with next pointing where to read on', async () => {
    const h = await harness({ historyPageBytes: 2500 });
    await h.call('POST', '/v1/machines/order/instances', { id: 'o-1', input: { total: 40 } });
    const note = 'x'.repeat(1000);
    await h.call('POST', '/v1/machines/order/instances/o-1/events', {
      type: 'Cancel',
      reason: note.slice(0, 500),
    });
    const page = await h.call('GET', '/v1/machines/order/instances/o-1/history');
    expect(page.headers.get('content-type')).toContain('application/json');
    expect(await page.json()).toMatchObject({ events: [{ seq: 1 }, { seq: 2 }], next: null });
    const tiny = await harness({ historyPageBytes: 10 });
    await tiny.call('POST', '/v1/machines/order/instances', { id: 'o-1', input: { total: 40 } });
    await tiny.call('POST', '/v1/machines/order/instances/o-1/events', { type: 'Cancel' });
    const first = (await (
      await tiny.call('GET', '/v1/machines/order/instances/o-1/history')
    ).json()) as {
      events: { seq: number }[];
      next: number;
    };
    expect(first.events.map((e) => e.seq)).toEqual([1]);
    expect(first.next).toBe(1);
    const second = await tiny.call(
      'GET',
      `/v1/machines/order/instances/o-1/history?after=${first.next}`,
    );
    expect(await second.json()).toMatchObject({ events: [{ seq: 2 }], next: null });
  });

  it('drops a watcher that stops reading once its backlog passes the bound, and it resumes with Last-Event-ID', async () => {
    const { url, port } = await serve({ watchBufferBytes: 64 * 1024 });
    await post(url, NOTES, { id: 'n1' });
    const watch = `GET ${NOTES}/n1/watch HTTP/1.1\r\nHost: x\r\n\r\n`;
    const slow = rawExchange(port, watch, 20_000, true);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const text = 'y'.repeat(100_000);
    for (let i = 0; i < 60; i++) await post(url, `${NOTES}/n1/events`, { type: 'Note', i, text });
    slow.socket.resume();
    expect(await slow.closed).toBe(true);
    slow.socket.destroy();
    const seen = slow
      .text()
      .split('\n')
      .filter((line) => line.startsWith('id: '))
      .map((line) => Number(line.slice(4)));
    expect(seen.length).toBeLessThan(61);
    const last = seen.at(-1) ?? 0;
    const rest = await fetch(`${url}${NOTES}/n1/watch`, {
      headers: { 'last-event-id': String(last) },
    });
    const reader = rest.body!.getReader();
    const decoder = new TextDecoder();
    const ids: number[] = [];
    let partial = '';
    while (ids.at(-1) !== 61) {
      const { value } = await reader.read();
      const lines = (partial + decoder.decode(value, { stream: true })).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('id: ')) ids.push(Number(line.slice(4)));
    }
    await reader.cancel();
    expect([...seen, ...ids]).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
  });

  it('closes connections whose headers never finish, after the headers timeout', async () => {
    const { port } = await serve({ headersTimeoutMs: 300 });
    const halfOpen = rawExchange(port, 'GET /healthz HTTP/1.1\r\nHost: x\r\n', 5000);
    expect(await halfOpen.closed).toBe(true);
    expect(halfOpen.text()).toMatch(/^HTTP\/1\.1 408 Request Timeout/);
    expect(halfOpen.text()).toContain('"code":"REQUEST_TIMEOUT"');
  });

  it('limits requests per caller: 429 RATE_LIMITED with Retry-After', async () => {
    const h = await harness({ rateLimit: { perSecond: 1, burst: 2 } });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await h.call('GET', '/v1/machines/order/instances')).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await h.call('GET', '/v1/machines/order/instances');
    expect(limited.headers.get('retry-after')).toBe('1');
    expect(await problemOf(limited)).toMatchObject({ code: 'RATE_LIMITED' });
    expect((await h.call('GET', '/healthz')).status).toBe(200);
  });

  it('is not ready while the store cannot commit, and ready again once it can; /healthz stays live', async () => {
    const store = faultyStore(memoryStore());
    const { url } = await serve({ store });
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready' });
    store.unreachable = true;
    await new Promise((resolve) => setTimeout(resolve, 1100)); // past the probe's cached answer
    const down = await fetch(`${url}/readyz`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({
      status: 'not-ready',
      reason: expect.stringMatching(/probe/),
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    store.unreachable = false;
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});
