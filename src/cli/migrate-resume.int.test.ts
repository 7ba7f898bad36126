import type { ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { collect, servingUrl, stator as spawnStator } from './test-support/processes.js';

/**
 * A bulk migration killed half-way — the CLI and the server both SIGKILLed —
 * and run again: every instance ends on the new version, each migrated once.
 */

const TICKETS = 120;

/** `stator <args>`, SIGKILLed when the test ends if still running. */
function stator(args: string[]): ChildProcess {
  const child = spawnStator(args);
  onTestFinished(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}

async function serve(module: string, db: string): Promise<{ child: ChildProcess; url: string }> {
  const child = stator(['serve', module, '--port', '0', '--db', `sqlite:${db}`]);
  return { child, url: await servingUrl(child) };
}

async function kill(child: ChildProcess): Promise<void> {
  const done = new Promise((resolve) => child.on('close', resolve));
  child.kill('SIGKILL');
  await done;
}

async function liveByVersion(url: string): Promise<Record<string, number>> {
  const res = await fetch(`${url}/v1/machines/ticket/versions`);
  const body = (await res.json()) as { versions: { version: string; live: { total: number } }[] };
  return Object.fromEntries(body.versions.map((v) => [v.version, v.live.total]));
}

describe('stator migrate-instances after SIGKILL', () => {
  it('resumes where it stopped and migrates every instance exactly once', async () => {
    const db = join(await mkdtemp(join(tmpdir(), 'stator-migrate-kill-')), 'tickets.db');
    const before = await serve('examples/versioned/module-v1.ts', db);
    for (let i = 0; i < TICKETS; i += 20) {
      await Promise.all(
        Array.from({ length: 20 }, async (_, j) => {
          const id = `t-${String(i + j).padStart(4, '0')}`;
          const created = await fetch(`${before.url}/v1/machines/ticket/instances`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ id, input: { title: id } }),
          });
          expect(created.status).toBe(201);
          if ((i + j) % 3 === 0) {
            await fetch(`${before.url}/v1/machines/ticket/instances/${id}/events`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ type: 'Assign', to: 'ann' }),
            });
          }
        }),
      );
    }
    await kill(before.child);

    let server = await serve('examples/versioned/module.ts', db);
    const first = stator([
      'migrate-instances',
      'ticket',
      '--from',
      '1',
      '--to',
      '2',
      '--concurrency',
      '2',
      '--url',
      server.url,
    ]);
    const firstRun = collect(first);
    for (;;) {
      const live = await liveByVersion(server.url);
      if ((live['2'] ?? 0) >= 30) break;
      if (first.exitCode !== null)
        throw new Error(`finished before the kill: ${(await firstRun).err}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    await Promise.all([kill(first), kill(server.child)]);

    server = await serve('examples/versioned/module.ts', db);
    const midway = await liveByVersion(server.url);
    expect(midway['1']).toBeGreaterThan(0);
    expect(midway['1']).toBeLessThan(TICKETS);
    const second = await collect(
      stator([
        'migrate-instances',
        'ticket',
        '--from',
        '1',
        '--to',
        '2',
        '--json',
        '--url',
        server.url,
      ]),
    );
    expect(second.code, second.err).toBe(0);
    expect(JSON.parse(second.out)).toMatchObject({ migrated: midway['1'], failed: 0 });
    expect(await liveByVersion(server.url)).toEqual({ '1': 0, '2': TICKETS });
    await kill(server.child);

    const sqlite = new Database(db, { readonly: true });
    try {
      const counts = sqlite
        .prepare(
          `SELECT i.id, i.version, (SELECT count(*) FROM stator_events e
             WHERE e.machine = i.machine AND e.id = i.id AND e.type = 'stator.migrated') AS n
           FROM stator_instances i WHERE i.machine = 'ticket'`,
        )
        .all() as { id: string; version: string; n: number }[];
      expect(counts).toHaveLength(TICKETS);
      expect(counts.filter((c) => c.version !== '2' || c.n !== 1)).toEqual([]);
    } finally {
      sqlite.close();
    }
  }, 120_000);
});
