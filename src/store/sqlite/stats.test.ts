import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { sqliteStore } from './sqlite-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** Adds `count` instances of `order` straight to the file: a third `paid`, the rest `pending`. */
function fill(path: string, count: number): void {
  const db = new Database(path);
  db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ?)
     INSERT INTO stator_instances
       (machine, id, version, value, state_key, context, status, seq, state_entered_at, created_at, updated_at)
     SELECT 'order', 'o' || i, 'v1', '"x"', CASE WHEN i % 3 = 0 THEN 'paid' ELSE 'pending' END,
       NULL, 'active', 1, 1000 + i, 1000, 1000 FROM n`,
  ).run(count);
  db.close();
}

describe('SQLite store statistics', () => {
  it('counts instances by state beside the event loop, not on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stator-stats-'));
    dirs.push(dir);
    const path = join(dir, 'stator.db');
    const store = sqliteStore({ path });
    await store.open();
    await store.close();
    const count = 300_000;
    fill(path, count);
    const reopened = sqliteStore({ path });
    await reopened.open();
    try {
      // The longest the event loop went without running a timer while the count ran.
      let last = performance.now();
      let longest = 0;
      const ticker = setInterval(() => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
      }, 1);
      const started = performance.now();
      const counts = await reopened.countByState('order');
      const took = performance.now() - started;
      clearInterval(ticker);
      longest = Math.max(longest, performance.now() - last);
      expect(counts).toEqual([
        { stateKey: 'paid', status: 'active', count: 100_000, oldestEnteredAt: 1000 },
        { stateKey: 'pending', status: 'active', count: 200_000, oldestEnteredAt: 1001 },
      ]);
      // On the event loop, the whole scan would be one gap as long as the call.
      expect(longest).toBeLessThan(took / 2);
    } finally {
      await reopened.close();
    }
  });

  it('counts on the writer’s connection where there is no worker (an in-memory database)', async () => {
    const store = sqliteStore({ path: ':memory:' });
    await store.open();
    try {
      expect(await store.countByState('order')).toEqual([]);
      expect(await store.countWork()).toEqual([]);
      expect(await store.countEmitBacklog()).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
