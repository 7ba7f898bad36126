import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, servingUrl, stator } from './test-support/processes.js';

/**
 * The operator's commands against a spawned `stator serve examples/module.ts`
 * (SQLite, a free port, no auth): the emit stream over a real socket, audit,
 * pending, stuck, bulk-send resumed, stop.
 */

describe('operating a running stator serve', () => {
  let server: ChildProcess;
  let url = '';

  beforeAll(async () => {
    const db = join(await mkdtemp(join(tmpdir(), 'stator-ops-e2e-')), 'ops.db');
    server = stator(['serve', 'examples/module.ts', '--port', '0', '--db', `sqlite:${db}`]);
    void collect(server);
    url = await servingUrl(server);
  }, 40_000);

  afterAll(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });

  const cli = (...args: string[]) => collect(stator([...args, '--url', url]));

  const post = (path: string, body: unknown) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  // Each CLI run starts a Node process (seconds on a busy machine): the setup and most checks use fetch.
  it('follows emits live, bulk-sends twice without doubles, finds the stuck ones and stops one', async () => {
    for (const id of ['o-1', 'o-2', 'o-3']) {
      const created = await post('/v1/machines/order/instances', { id, input: { total: 5 } });
      expect(created.status).toBe(201);
    }
    const following = cli(
      'emits',
      '--follow',
      '--subscriber',
      'e2e',
      '--ack',
      '--limit',
      '2',
      '--json',
    );
    const bulk = await cli(
      'bulk-send',
      'order',
      'Pay',
      '--state',
      'pending',
      '--operation',
      'pay-e2e',
      '--page',
      '2',
      '--json',
    );
    expect(bulk.code, bulk.err).toBe(0);
    expect(JSON.parse(bulk.out)).toMatchObject({ processed: 3, sent: 3, duplicates: 0 });
    const again = await post('/v1/machines/order/bulk/send', {
      operation: 'pay-e2e',
      event: { type: 'Pay' },
    });
    expect(await again.json()).toMatchObject({ processed: 3, sent: 0, duplicates: 3 });

    const followed = await following;
    expect(followed.code, followed.err).toBe(0);
    const emits = followed.out
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(emits.map((e) => [e.position, e.event.type])).toEqual([
      [1, 'order.paid'],
      [2, 'order.paid'],
    ]);
    const cursor = await fetch(`${url}/v1/emits/cursors/e2e`).then((r) => r.json());
    expect(cursor).toEqual({ subscriber: 'e2e', position: 2 });

    const audit = (await fetch(`${url}/v1/machines/order/instances/o-1/audit`).then((r) =>
      r.json(),
    )) as { entries: { eventType: string }[] };
    expect(audit.entries.map((e: { eventType: string }) => e.eventType)).toEqual([
      'xstate.init',
      'Pay',
    ]);
    const stuck = await cli('stuck', 'order', '--state', 'paid', '--older-than', '0s', '--json');
    expect(JSON.parse(stuck.out).instances).toHaveLength(3);

    const stopped = await cli('stop', 'order', 'o-3', '--reason', 'e2e');
    expect(stopped.out).toContain('stopped order/o-3');
    const pending = await fetch(`${url}/v1/machines/order/instances/o-3/pending`).then((r) =>
      r.json(),
    );
    expect(pending).toMatchObject({ status: 'stopped', timers: [], effects: [] });
  }, 180_000);
});
