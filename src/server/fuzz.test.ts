import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as example from '../../examples/module.js';
import { silentLogger } from '../host/logger.js';
import { sqliteStore } from '../sqlite.js';
import type { Store } from '../store/types.js';
import { issueApiKey } from './auth/api-keys.js';
import { createServer, type RunningServer } from './serve.js';
import { badRequests, ORDERS } from './test-support/bad-requests.js';

/**
 * 10,000+ generated bad requests against a real listening server (loopback,
 * SQLite): none may get a 5xx, every answer is problem+json, and nothing is
 * appended (events, audit rows and instances unchanged).
 */

const BATCH = 25;
const RUNS = 420; // 10,500 requests

describe('fuzzing the running server with bad requests', () => {
  let server: RunningServer;
  let store: Store;
  let token = '';

  beforeAll(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stator-fuzz-'));
    store = sqliteStore({ path: join(dir, 'fuzz.db') });
    await store.open();
    const issued = issueApiKey({
      name: 'fuzz',
      subject: 'fuzzer',
      roles: ['admin'],
      now: Date.now(),
    });
    await store.putApiKey(issued.row);
    token = issued.token;
    server = await createServer({
      module: example,
      store,
      port: 0,
      logger: silentLogger,
      bodyLimit: 4096,
      auth: { apiKeys: store },
    });
    const created = await fetch(`${server.url}${ORDERS}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ id: 'o-1', input: { total: 40 } }),
    });
    expect(created.status).toBe(201);
  });
  afterAll(() => server?.close());

  it(`answers ${BATCH * RUNS} bad requests with 4xx problem+json and appends nothing`, {
    timeout: 180_000,
  }, async () => {
    const counts = async () => ({
      events: (await server.engine.history('order', 'o-1')).events.length,
      audit: (await server.engine.audit('order', 'o-1')).entries.length,
      instances: (await server.engine.list('order')).instances.length,
    });
    const before = await counts();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(badRequests(token), { minLength: BATCH, maxLength: BATCH }),
        async (batch) => {
          await Promise.all(
            batch.map(async (r) => {
              const res = await fetch(`${server.url}${r.path}`, {
                method: r.method,
                headers: r.headers,
                ...(r.body !== undefined && { body: r.body }),
              });
              const text = await res.text();
              sent++;
              const where = `${r.method} ${r.path.slice(0, 80)} → ${res.status} ${text.slice(0, 200)}`;
              expect(res.status, where).toBeGreaterThanOrEqual(400);
              expect(res.status, where).toBeLessThan(500);
              expect(res.headers.get('content-type'), where).toBe('application/problem+json');
              const problem = JSON.parse(text) as Record<string, unknown>;
              expect(problem, where).toMatchObject({
                status: res.status,
                type: expect.any(String),
                title: expect.any(String),
                detail: expect.any(String),
                code: expect.any(String),
                instance: expect.any(String),
              });
            }),
          );
        },
      ),
      { numRuns: RUNS, endOnFailure: true }, // the assertion names the failing request
    );
    expect(sent).toBeGreaterThanOrEqual(10_000);
    expect(await counts()).toEqual(before);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
