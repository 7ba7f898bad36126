import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { Checkpointer, type CheckpointerConfig, WorkerReadError } from './checkpointer.js';

const config: CheckpointerConfig = {
  busyTimeoutMs: 5000,
  synchronous: 'FULL',
  writesPerCheckpoint: 1,
};

describe('Checkpointer', () => {
  const open: { db: Database.Database; dir: string; checkpointer?: Checkpointer }[] = [];
  afterEach(async () => {
    for (const { db, dir, checkpointer } of open.splice(0)) {
      await checkpointer?.close();
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  function database(): Database.Database {
    const dir = mkdtempSync(join(tmpdir(), 'stator-checkpoint-'));
    const db = new Database(join(dir, 'x.db'));
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x TEXT)');
    open.push({ db, dir });
    return db;
  }

  function start(db: Database.Database, extra: Partial<CheckpointerConfig> = {}): Checkpointer {
    const checkpointer = new Checkpointer(db, { ...config, ...extra });
    const entry = open.find((o) => o.db === db);
    if (entry) entry.checkpointer = checkpointer;
    return checkpointer;
  }

  const insert = (db: Database.Database, count: number, checkpointer?: Checkpointer) => {
    const row = db.prepare('INSERT INTO t VALUES (?)');
    for (let i = 0; i < count; i++) {
      row.run('x'.repeat(500));
      checkpointer?.wrote();
    }
  };
  /** Frames in the WAL (a PASSIVE checkpoint of what is left reports them). */
  const walFrames = (db: Database.Database) =>
    (db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[])[0]?.log ?? 0;

  it('turns off the writer’s automatic checkpoints', () => {
    const db = database();
    start(db);
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  });

  it('checkpoints on its thread, so the next write restarts the WAL from its start', async () => {
    const db = database();
    const checkpointer = start(db);
    insert(db, 2000, checkpointer);
    await checkpointer.checkpointed();
    insert(db, 1, checkpointer);
    expect(walFrames(db)).toBeLessThan(10);
  });

  it('leaves the WAL to grow without it (the control for the test above)', () => {
    const db = database();
    db.pragma('wal_autocheckpoint = 0');
    insert(db, 2000);
    insert(db, 1);
    expect(walFrames(db)).toBeGreaterThan(1000);
  });

  it('has the writer checkpoint too while the WAL is past its limit, and stop after', async () => {
    const db = database();
    const checkpointer = start(db, { walLimitPages: 50 });
    insert(db, 200);
    checkpointer.wrote();
    await checkpointer.checkpointed();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    insert(db, 1, checkpointer);
    await checkpointer.checkpointed();
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
  });

  it('switches the writer’s automatic checkpoints back on when its worker cannot run', async () => {
    const db = database();
    const dir = mkdtempSync(join(tmpdir(), 'stator-driver-'));
    const driver = join(dir, 'broken.cjs');
    writeFileSync(driver, 'throw new Error("no driver here");');
    try {
      const checkpointer = start(db, { driver });
      checkpointer.wrote();
      await checkpointer.checkpointed();
      await expect.poll(() => db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('waits for enough writes before it checkpoints', async () => {
    const db = database();
    const checkpointer = start(db, { writesPerCheckpoint: 100 });
    insert(db, 2000);
    checkpointer.wrote(99);
    await checkpointer.checkpointed();
    expect(checkpointer.checkpoints).toBe(0);
    checkpointer.wrote(1);
    await checkpointer.checkpointed();
    expect(checkpointer.checkpoints).toBe(1);
    insert(db, 1);
    expect(walFrames(db)).toBeLessThan(10);
  });

  it('closes its worker, once', async () => {
    const db = database();
    const checkpointer = start(db);
    insert(db, 10, checkpointer);
    await checkpointer.close();
    await checkpointer.close();
    checkpointer.wrote();
    await checkpointer.checkpointed();
  });

  it('answers reads on its own connection, with what was committed', async () => {
    const db = database();
    const checkpointer = start(db);
    insert(db, 3);
    const rows = checkpointer.read([
      { sql: 'SELECT COUNT(*) AS n FROM t WHERE x LIKE ?', params: ['x%'] },
      { sql: 'SELECT COUNT(*) AS n FROM t', params: [] },
    ]);
    expect(await rows).toEqual([[{ n: 3 }], [{ n: 3 }]]);
    db.prepare('INSERT INTO t VALUES (?)').run('y');
    const after = await checkpointer.read([{ sql: 'SELECT x FROM t WHERE x = ?', params: ['y'] }]);
    expect(after).toEqual([[{ x: 'y' }]]);
  });

  it('rejects a read the worker fails, and goes on answering', async () => {
    const db = database();
    const checkpointer = start(db);
    const nowhere = [{ sql: 'SELECT * FROM nowhere', params: [] }];
    await expect(checkpointer.read(nowhere)).rejects.toThrow(WorkerReadError);
    await expect(checkpointer.read(nowhere)).rejects.toThrow(/no such table/);
    const count = [{ sql: 'SELECT COUNT(*) AS n FROM t', params: [] }];
    expect(await checkpointer.read(count)).toEqual([[{ n: 0 }]]);
  });

  it('has no worker to read on once closed or when its worker cannot run', async () => {
    const db = database();
    const closed = start(db);
    await closed.close();
    const one = [{ sql: 'SELECT 1', params: [] }];
    expect(closed.read(one)).toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'stator-driver-'));
    const driver = join(dir, 'broken.cjs');
    writeFileSync(driver, 'throw new Error("no driver here");');
    try {
      const broken = new Checkpointer(db, { ...config, driver });
      const pending = broken.read(one);
      await expect(pending).rejects.toThrow(/stopped before answering/);
      expect(broken.read(one)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
