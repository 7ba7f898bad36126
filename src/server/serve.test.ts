import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import * as example from '../../examples/module.js';
import { silentLogger } from '../host/logger.js';
import { memoryStore } from '../memory.js';
import type { Store } from '../store/types.js';
import { createServer, isLoopback } from './serve.js';

/** A memory store whose commits take `ms`, so a request is surely in flight. */
function slowStore(ms: number): Store {
  const store = memoryStore();
  return new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (key !== 'commit' || typeof value !== 'function')
        return typeof value === 'function' ? value.bind(target) : value;
      return async (...args: unknown[]) => {
        await new Promise((r) => setTimeout(r, ms));
        return value.apply(target, args);
      };
    },
  });
}

const start = (options: Partial<Parameters<typeof createServer>[0]> = {}) =>
  createServer({
    module: example,
    store: memoryStore(),
    port: 0,
    logger: silentLogger,
    ...options,
  });

function rawRequest(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let out = '';
    socket.on('data', (d) => {
      out += d;
    });
    socket.on('end', () => resolve(out));
    socket.on('error', reject);
  });
}

describe('createServer', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.8.9.10', true],
    ['localhost', true],
    ['::1', true],
    ['[::1]', true],
    ['0.0.0.0', false],
    ['::', false],
    ['10.0.0.5', false],
  ])('isLoopback(%s) is %s', (host, loopback) => expect(isLoopback(host)).toBe(loopback));

  it('refuses a non-loopback address without authentication, saying what to do', async () => {
    await expect(start({ host: '0.0.0.0' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('--insecure'),
    });
  });

  it('serves on loopback without auth, and drains on close: in-flight requests finish, then the engine closes', async () => {
    const server = await start({ store: slowStore(100) });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const created = await fetch(`${server.url}/v1/machines/order/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'o-1', input: { total: 3 } }),
    });
    expect(created.status).toBe(201);
    const watch = await fetch(`${server.url}/v1/machines/order/instances/o-1/watch`);
    const inFlight = fetch(`${server.url}/v1/machines/order/instances/o-1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'Pay' }),
    });
    await new Promise((r) => setTimeout(r, 20));
    await server.close();
    expect((await inFlight).status).toBe(200);
    expect(await watch.text()).toContain('id: 1');
    await expect(server.engine.get('order', 'o-1')).rejects.toMatchObject({
      code: 'ENGINE_CLOSED',
    });
    const after = await fetch(`${server.url}/healthz`).catch((error: Error) => error);
    expect(after).toBeInstanceOf(Error); // no longer listening
    await server.close(); // idempotent
  });

  it('reports a port in use as CONFIG_INVALID', async () => {
    const first = await start();
    await expect(start({ port: first.port })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('in use'),
    });
    await first.close();
  });

  it('reads bodies off the wire within the limit, declared with Content-Length or chunked', async () => {
    const server = await start({ bodyLimit: 64 });
    const post = (headers: string, body: string) =>
      rawRequest(
        server.port,
        `POST /v1/machines/order/instances HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\n${headers}\r\n${body}`,
      );
    const input = JSON.stringify({ id: 'o-1', input: { total: 40 } });
    const created = await post(`content-length: ${input.length}\r\n`, input);
    expect(created).toMatch(/^HTTP\/1\.1 201/);
    const big = JSON.stringify({ id: 'o-2', input: { total: 40, note: 'x'.repeat(100) } });
    const declared = await post(`content-length: ${big.length}\r\n`, big);
    expect(declared).toMatch(/^HTTP\/1\.1 413/);
    // No length declared: counted while it streams in.
    const chunk = (text: string) => `${text.length.toString(16)}\r\n${text}\r\n`;
    const chunked = await post(
      'transfer-encoding: chunked\r\n',
      `${chunk(big.slice(0, 50))}${chunk(big.slice(50))}0\r\n\r\n`,
    );
    expect(chunked).toMatch(/^HTTP\/1\.1 413/);
    expect(chunked).toContain('"code":"PAYLOAD_TOO_LARGE"');
    const small = await post('transfer-encoding: chunked\r\n', `${chunk(input)}0\r\n\r\n`);
    expect(small).toMatch(/^HTTP\/1\.1 409/); // o-1 exists: the body was read and parsed
    const broken = await post('content-length: 9\r\n', '{"input":');
    expect(broken).toMatch(/^HTTP\/1\.1 400/);
    await server.close();
  });

  it('a client that hangs up mid-body is not a server error', async () => {
    const errors: unknown[] = [];
    const server = await start({ logger: { ...silentLogger, error: (obj) => errors.push(obj) } });
    for (const framing of ['content-length: 100\r\n', 'transfer-encoding: chunked\r\n']) {
      await new Promise<void>((resolve, reject) => {
        const socket = connect(server.port, '127.0.0.1', () => {
          socket.write(
            `POST /v1/machines/order/instances HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n${framing}\r\n`,
          );
          socket.write(framing.startsWith('content') ? '{"id":' : '6\r\n{"id":\r\n');
          setTimeout(() => socket.destroy(), 50);
        });
        socket.on('close', () => resolve());
        socket.on('error', reject);
      });
    }
    await new Promise((r) => setTimeout(r, 200));
    expect(errors).toEqual([]);
    expect(await server.engine.list('order')).toMatchObject({ instances: [] });
    await server.close();
  });

  it('answers malformed HTTP and oversized headers with problem+json', async () => {
    const server = await start();
    const garbage = await rawRequest(server.port, 'NONSENSE\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400/);
    expect(garbage).toContain('application/problem+json');
    const huge = await rawRequest(
      server.port,
      `GET / HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(huge).toMatch(/^HTTP\/1\.1 413/);
    expect(huge).toContain('"code":"PAYLOAD_TOO_LARGE"');
    await server.close();
  });
});
