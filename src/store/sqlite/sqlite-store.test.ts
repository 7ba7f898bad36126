import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { at, createWrite, effect, emit, eventWrite, key, timer } from '../contract/builders.js';
import { describeStoreContract } from '../contract/store-contract.js';
import { promiseState } from '../test-support/promise-state.js';
import { openDatabase, sqliteConfig } from './connection.js';
import { applySchemaMigrations, SCHEMA_MIGRATIONS, schemaVersion } from './schema-migrations.js';
import { sqliteStore, sqliteStoreForTests } from './sqlite-store.js';
import type { FileSync } from './wal-sync.js';

function tempDir(): { dir: string; cleanup: () => Promise<void> } {
  const dir = mkdtempSync(join(tmpdir(), 'stator-sqlite-'));
  return { dir, cleanup: async () => rmSync(dir, { recursive: true, force: true }) };
}

describeStoreContract('sqlite', async () => {
  const { dir, cleanup } = tempDir();
  const path = join(dir, 'stator.db');
  return { store: sqliteStore({ path }), reopen: async () => sqliteStore({ path }), cleanup };
});

describe('sqlite store', () => {
  const order = key('order', 'o-1');
  let dir: string;
  let cleanup: () => Promise<void>;

  beforeEach(() => {
    ({ dir, cleanup } = tempDir());
  });
  afterEach(async () => {
    await cleanup();
  });

  describe('connection', () => {
    it('opens in WAL mode with synchronous=FULL and a 5 s busy timeout by default', () => {
      const db = openDatabase(sqliteConfig({ path: join(dir, 'a.db') }));
      try {
        expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
        expect(db.pragma('synchronous', { simple: true })).toBe(2);
        expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
      } finally {
        db.close();
      }
    });

    it('applies the synchronous and busyTimeoutMs options', () => {
      const config = sqliteConfig({
        path: join(dir, 'a.db'),
        synchronous: 'NORMAL',
        busyTimeoutMs: 250,
      });
      const db = openDatabase(config);
      try {
        expect(db.pragma('synchronous', { simple: true })).toBe(1);
        expect(db.pragma('busy_timeout', { simple: true })).toBe(250);
      } finally {
        db.close();
      }
    });

    it('leaves the file in WAL mode for every later connection', async () => {
      const path = join(dir, 'a.db');
      const store = sqliteStore({ path });
      await store.open();
      await store.close();
      const db = new Database(path);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    });

    it('creates missing parent directories', async () => {
      const store = sqliteStore({ path: join(dir, 'nested', 'deeper', 'stator.db') });
      await store.open();
      expect(await store.commit([createWrite(order)])).toEqual([{ ok: true }]);
      await store.close();
    });

    it('works on a private in-memory database', async () => {
      const store = sqliteStore({ path: ':memory:' });
      await store.open();
      await store.commit([createWrite(order)]);
      expect(await store.getInstance(order)).toMatchObject({ seq: 1 });
      await store.close();
    });

    it('rejects bad options with VALIDATION_FAILED before touching the disk', () => {
      expect(() => sqliteStore({ path: '' })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
      expect(() => sqliteStore({ path: 'x.db', synchronous: 'EXTRA' as 'FULL' })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
      expect(() => sqliteStore({ path: 'x.db', busyTimeoutMs: -1 })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
    });

    it('reports a file it cannot open as STORE_ERROR', async () => {
      const store = sqliteStore({ path: dir }); // a directory, not a database file
      await expect(store.open()).rejects.toMatchObject({ code: 'STORE_ERROR' });
    });
  });

  describe('failures', () => {
    it('fails a commit with STORE_ERROR (SQLITE_BUSY) while another process holds the write lock, then recovers', async () => {
      const path = join(dir, 'busy.db');
      const store = sqliteStore({ path, busyTimeoutMs: 20 });
      await store.open();
      const other = new Database(path);
      other.exec('BEGIN IMMEDIATE');
      try {
        const error = await store.commit([createWrite(order)]).catch((e: unknown) => e);
        expect(error).toMatchObject({
          code: 'STORE_ERROR',
          details: { store: 'sqlite', operation: 'commit', driverCode: 'SQLITE_BUSY' },
        });
        expect((error as Error).cause).toMatchObject({ code: 'SQLITE_BUSY' });
      } finally {
        other.exec('ROLLBACK');
        other.close();
      }
      expect(await store.commit([createWrite(order)])).toEqual([{ ok: true }]);
      await store.close();
    });

    it('says the store is closed, not a driver message, after close', async () => {
      const store = sqliteStore({ path: join(dir, 'c.db') });
      await store.open();
      await store.close();
      await expect(store.commit([createWrite(order)])).rejects.toThrow(/sqlite store is closed/);
    });
  });

  describe('state key', () => {
    it('stores a stable state key beside the state value for listing by state', async () => {
      const path = join(dir, 'k.db');
      const store = sqliteStore({ path });
      await store.open();
      await store.commit([
        createWrite(order, { value: { checkout: 'payment' } }),
        createWrite(key('order', 'o-2'), {
          value: { ship: { parcel: 'packed', invoice: 'sent' } },
        }),
      ]);
      await store.close();
      const db = new Database(path, { readonly: true });
      const rows = db.prepare('SELECT id, state_key FROM stator_instances ORDER BY id').all();
      db.close();
      expect(rows).toEqual([
        { id: 'o-1', state_key: 'checkout.payment' },
        { id: 'o-2', state_key: 'ship.invoice.sent,ship.parcel.packed' },
      ]);
    });
  });

  describe('migrating a version-1 database', () => {
    it('opens a database written before migration 2 and serves its rows with the new fields', async () => {
      const path = join(dir, 'v1.db');
      const v1 = new Database(path);
      applySchemaMigrations(v1, SCHEMA_MIGRATIONS.slice(0, 1));
      v1.exec(`
        INSERT INTO stator_instances
          (machine, id, version, value, state_key, context, status, seq, state_entered_at,
           created_at, updated_at)
        VALUES ('order', 'o-1', '1', '{"paid":"packed"}', 'paid.packed', '{}', 'active', 1, 5, 5, 5);
        INSERT INTO stator_timers (machine, id, timer_id, due_at, event, target, set_by_seq)
        VALUES ('order', 'o-1', 'expire', 10, '{"type":"Expire"}', 'self', 1);
        INSERT INTO stator_outbox
          (effect_id, machine, id, seq, idx, effect, attempts, next_attempt_at, created_at)
        VALUES ('order/o-1/1/0', 'order', 'o-1', 1, 0, '{"kind":"action","type":"notify"}', 1, 7, 5);
      `);
      v1.close();

      const store = sqliteStore({ path });
      await store.open();
      try {
        expect(await store.getInstance(order)).toMatchObject({
          value: { paid: 'packed' },
          parent: null,
        });
        expect(await store.listInstances({ machine: 'order', state: 'paid' })).toHaveLength(1);
        const lease = { owner: 'a', now: 100, until: 200, limit: 10 };
        expect(await store.claimDueTimers(lease)).toEqual([
          {
            ...order,
            timerId: 'expire',
            dueAt: 10,
            event: { type: 'Expire' },
            target: 'self',
            setBySeq: 1,
            attempts: 0,
            status: 'pending',
            lastError: null,
          },
        ]);
        expect(await store.claimOutbox(lease)).toEqual([
          expect.objectContaining({ effectId: 'order/o-1/1/0', attempts: 1, status: 'pending' }),
        ]);
        await store.commit([eventWrite(order, 1, { emits: [emit(order, 2, 0)] })]);
        expect(await store.readEmits(0)).toEqual([{ ...emit(order, 2, 0), position: 1 }]);
        await store.setCursor('relay', 1);
        expect(await store.getCursor('relay')).toBe(1);
      } finally {
        await store.close();
      }
      const db = new Database(path, { readonly: true });
      expect(schemaVersion(db)).toBe(SCHEMA_MIGRATIONS.at(-1)?.version);
      db.close();
    });
  });

  describe('emit log', () => {
    it('never hands out a position twice, even after the newest emit was deleted', async () => {
      const path = join(dir, 'e.db');
      const store = sqliteStore({ path });
      await store.open();
      await store.commit([createWrite(order, { emits: [emit(order, 1, 0), emit(order, 1, 1)] })]);
      const db = new Database(path);
      db.prepare('DELETE FROM stator_emits WHERE position = 2').run();
      db.close();
      await store.commit([eventWrite(order, 1, { emits: [emit(order, 2, 0)] })]);
      expect((await store.readEmits(0)).map((e) => e.position)).toEqual([1, 3]);
      await store.close();
    });
  });

  describe('one store per file', () => {
    it('refuses a second store on a file that is open, naming who holds it, and opens once it is closed', async () => {
      const path = join(dir, 'held.db');
      const first = sqliteStore({ path });
      await first.open();
      const second = sqliteStore({ path });
      await expect(second.open()).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringMatching(
          new RegExp(
            `already in use by another Stator store \\(pid ${process.pid} on .*PostgreSQL`,
          ),
        ),
      });
      await first.close();
      const third = sqliteStore({ path });
      await third.open();
      await third.close();
    });

    it('lets a process that died leave the file free', async () => {
      const path = join(dir, 'died.db');
      const { spawn } = await import('node:child_process');
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `import('./src/store/sqlite/sqlite-store.ts').then(async ({ sqliteStore }) => {
             await sqliteStore({ path: ${JSON.stringify(path)} }).open();
             console.log('open');
             setInterval(() => {}, 1000);
           })`,
        ],
        { stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      await expect(sqliteStore({ path }).open()).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      const after = sqliteStore({ path });
      await after.open();
      await after.close();
    });
  });

  describe('leases across connections', () => {
    it('hands each due timer and outbox row to one of two stores sharing the file', async () => {
      const path = join(dir, 'shared.db');
      const a = sqliteStore({ path, exclusive: false });
      const b = sqliteStore({ path, exclusive: false });
      await a.open();
      await b.open();
      try {
        const writes = Array.from({ length: 20 }, (_, i) => {
          const k = key('order', `o-${i}`);
          return createWrite(k, { timersSet: [timer(k, 't', at(i))], outbox: [effect(k, 1, 0)] });
        });
        await a.commit(writes);
        const lease = (owner: string) => ({ owner, now: at(100), until: at(160), limit: 7 });
        const timers: string[] = [];
        const outbox: string[] = [];
        for (let round = 0; round < 3; round++) {
          for (const [name, store] of [
            ['a', a],
            ['b', b],
          ] as const) {
            timers.push(...(await store.claimDueTimers(lease(name))).map((t) => t.id));
            outbox.push(...(await store.claimOutbox(lease(name))).map((o) => o.effectId));
          }
        }
        expect(timers).toHaveLength(20);
        expect(new Set(timers).size).toBe(20);
        expect(outbox).toHaveLength(20);
        expect(new Set(outbox).size).toBe(20);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
  describe('flushing the WAL off the event loop (synchronous FULL)', () => {
    /** A FileSync whose background flushes wait for `release()`; inline ones pass. */
    function heldSync() {
      const held: ((error: Error | null) => void)[] = [];
      const sync: FileSync = { background: (_fd, done) => held.push(done), now: () => {} };
      const release = (error: Error | null = null) => {
        for (const done of held.splice(0)) done(error);
      };
      return { sync, release, holding: () => held.length };
    }

    it('acknowledges a batch, and shows or hands out its rows, only after its flush', async () => {
      const flush = heldSync();
      const store = sqliteStoreForTests({ path: join(dir, 'f.db') }, { fileSync: flush.sync });
      await store.open();
      try {
        const other = key('order', 'o-2');
        const committing = store.commit([
          createWrite(order, { outbox: [effect(order, 1, 0)] }),
          createWrite(other),
        ]);
        expect(await promiseState(committing)).toBe('pending');
        expect(flush.holding()).toBe(1);
        const read = store.getInstance(order);
        const claim = store.claimOutbox({ owner: 'a', now: at(5), until: at(9), limit: 10 });
        expect(await promiseState(read)).toBe('pending');
        expect(await promiseState(claim)).toBe('pending');

        flush.release();
        expect(await committing).toEqual([{ ok: true }, { ok: true }]);
        expect(await read).toMatchObject({ seq: 1 });
        expect((await claim).map((o) => o.effectId)).toEqual(['order/o-1/1/0']);
      } finally {
        flush.release();
        await store.close();
      }
    });

    it('fails the commit, and every later one, when the flush fails', async () => {
      const flush = heldSync();
      const store = sqliteStoreForTests({ path: join(dir, 'f.db') }, { fileSync: flush.sync });
      await store.open();
      try {
        const committing = store.commit([createWrite(order), createWrite(key('order', 'o-2'))]);
        const failed = expect(committing).rejects.toMatchObject({
          code: 'STORE_ERROR',
          details: { store: 'sqlite', operation: 'flush', driverCode: 'EIO' },
        });
        flush.release(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
        await failed;
        await expect(store.commit([eventWrite(order, 1)])).rejects.toMatchObject({
          code: 'STORE_ERROR',
          message: expect.stringContaining('restart the process'),
        });
        await expect(store.getInstance(order)).rejects.toMatchObject({ code: 'STORE_ERROR' });
      } finally {
        await store.close();
      }
    });

    it('commits at synchronous NORMAL and leaves the flushing to WalSync', async () => {
      const flush = heldSync();
      const path = join(dir, 'f.db');
      const store = sqliteStoreForTests({ path }, { fileSync: flush.sync });
      await store.open();
      try {
        expect(await store.commit([createWrite(order)])).toEqual([{ ok: true }]);
        expect(flush.holding()).toBe(0);
      } finally {
        await store.close();
      }
      const normal = sqliteStoreForTests({ path, synchronous: 'NORMAL' }, { fileSync: flush.sync });
      await normal.open();
      try {
        const committing = normal.commit([eventWrite(order, 1), createWrite(key('order', 'o-3'))]);
        expect(await promiseState(committing)).toBe('resolved');
        expect(flush.holding()).toBe(0);
      } finally {
        await normal.close();
      }
    });
  });
});
