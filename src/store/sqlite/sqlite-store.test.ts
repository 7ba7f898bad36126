import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeStoreContract } from '../store-contract.suite.js';
import { createWrite, key } from '../test-support/builders.js';
import { openDatabase, sqliteConfig } from './connection.js';
import { sqliteStore } from './sqlite-store.js';

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
});
