import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, type Run, servingUrl, stator } from './test-support/processes.js';

/**
 * The README walkthrough against a spawned `stator serve examples/module.ts`
 * on a temporary SQLite file and a free port: create → Pay → watch → history →
 * graph through the CLI and through fetch, then SIGTERM and a clean exit.
 */

describe('stator serve, end to end', () => {
  let server: ChildProcess;
  let exited: Promise<Run>;
  let url = '';

  beforeAll(async () => {
    const db = join(await mkdtemp(join(tmpdir(), 'stator-e2e-')), 'e2e.db');
    server = stator(['serve', 'examples/module.ts', '--port', '0', '--db', `sqlite:${db}`]);
    exited = collect(server);
    url = await servingUrl(server);
  }, 30_000);

  afterAll(() => {
    if (server.exitCode === null) server.kill('SIGKILL');
  });

  const cli = (...args: string[]) => collect(stator([...args, '--url', url]));

  it('walks an order through the CLI: create, watch, Pay, history, graph', async () => {
    const created = await cli('create', 'order', 'o-1', '--input', '{"total":40}', '--json');
    expect(created.code, created.err).toBe(0);
    expect(JSON.parse(created.out)).toMatchObject({ id: 'o-1', value: 'pending' });

    const watching = cli('watch', 'order', 'o-1', '--count', '2', '--json');
    const paid = await cli('send', 'order', 'o-1', 'Pay', '--idempotency-key', 'pay-o-1');
    expect(paid.code, paid.err).toBe(0);
    expect(paid.out).toContain('order/o-1 v1 paid.awaitingPacking (active) seq 2');

    const watched = await watching;
    expect(watched.code, watched.err).toBe(0);
    expect(
      watched.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).event.type),
    ).toEqual(['xstate.init', 'Pay']);

    const history = await cli('history', 'order', 'o-1', '--json');
    expect(JSON.parse(history.out).events.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);

    const graph = await cli('graph', 'order');
    expect(graph.out).toContain('order_pending --> order_paid : Pay [paidInFull]');

    const wrong = await cli('send', 'order', 'o-1', 'Pay');
    expect(wrong.code).toBe(4);
    expect(wrong.err).toContain('error [EVENT_NOT_ACCEPTED]');
  }, 90_000);

  it('walks an order through fetch: create, Pay, watch, history, graph', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    expect(
      (await post('/v1/machines/order/instances', { id: 'o-2', input: { total: 10 } })).status,
    ).toBe(201);
    const watch = await fetch(`${url}/v1/machines/order/instances/o-2/watch`);
    expect((await post('/v1/machines/order/instances/o-2/events', { type: 'Pay' })).status).toBe(
      200,
    );
    const reader = watch.body!.getReader();
    let text = '';
    while (!text.includes('id: 2')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    expect(text).toContain('event: transition');

    const history = (await (
      await fetch(`${url}/v1/machines/order/instances/o-2/history`)
    ).json()) as { events: { type: string }[] };
    expect(history.events.map((e) => e.type)).toEqual(['xstate.init', 'Pay']);
    const machine = (await (await fetch(`${url}/v1/machines/order`)).json()) as { graph: string };
    expect(machine.graph).toMatch(/^stateDiagram-v2/);
    expect((await fetch(`${url}/openapi.json`)).status).toBe(200);
  });

  it('stops gracefully on SIGTERM with exit code 0', async () => {
    server.kill('SIGTERM');
    const run = await exited;
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain('SIGTERM received, draining');
    expect(run.out).toContain('Authentication is OFF (development mode)');
    expect(run.out).toContain('"msg":"stopped"');
  }, 20_000);
});
