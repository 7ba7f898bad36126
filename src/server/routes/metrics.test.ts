import { afterEach, describe, expect, it } from 'vitest';
import * as example from '../../../examples/module.js';
import { silentLogger } from '../../host/logger.js';
import { memoryStore } from '../../store/memory/memory-store.js';
import type { Store } from '../../store/types.js';
import { issueApiKey } from '../auth/api-keys.js';
import { createServer, type RunningServer } from '../serve.js';

let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const start = async (
  options: Partial<Parameters<typeof createServer>[0]> = {},
  store: Store = memoryStore(),
) => {
  server = await createServer({
    module: example,
    store,
    port: 0,
    logger: silentLogger,
    ...options,
  });
  return server;
};

const scrape = (url: string, headers: Record<string, string> = {}) =>
  fetch(`${url}/metrics`, { headers });

describe('GET /metrics', () => {
  it('serves the engine registry in Prometheus text format, counting what the API did', async () => {
    const { url } = await start();
    const created = await fetch(`${url}/v1/machines/order/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'o-1', input: { total: 40 } }),
    });
    expect(created.status).toBe(201);
    const res = await scrape(url);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain(
      'stator_transitions_total{machine="order",event="xstate.init",outcome="applied"} 1',
    );
    expect((await fetch(`${url}/metrics`, { method: 'POST' })).status).toBe(405);
  });

  it('with a token, answers only that bearer token', async () => {
    const { url } = await start({ metrics: { token: 's3cret-scrape' } });
    expect((await scrape(url)).status).toBe(401);
    expect((await scrape(url, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await scrape(url, { authorization: 'Bearer s3cret-scrape' })).status).toBe(200);
  });

  it('on an authenticated server, needs an API key unless public', async () => {
    const store = memoryStore();
    const { token, row } = issueApiKey({
      name: 'prom',
      subject: 'svc-prom',
      roles: [],
      now: Date.now(),
    });
    const s = await start({ auth: { apiKeys: store } }, store);
    await store.putApiKey(row);
    expect((await scrape(s.url)).status).toBe(401);
    expect((await scrape(s.url, { authorization: `Bearer ${token}` })).status).toBe(200);
    await s.close();
    server = undefined;
    const open = await start(
      { auth: { apiKeys: store }, metrics: { public: true } },
      memoryStore(),
    );
    expect((await scrape(open.url)).status).toBe(200);
  });

  it('is absent when metrics are off', async () => {
    const { url, engine } = await start({ metrics: false });
    expect((await scrape(url)).status).toBe(404);
    expect((await engine.metrics.metrics()).trim()).toBe('');
  });
});
