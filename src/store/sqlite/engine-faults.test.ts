import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import type { StatorError } from '../../core/errors.js';
import { createEngine } from '../../runtime/engine.js';
import type { Engine } from '../../runtime/types.js';
import { sqliteStore, sqliteStoreForTests } from './sqlite-store.js';

const notes = setup({
  types: { context: {} as { count: number } },
}).createMachine({
  id: 'notes',
  context: { count: 0 },
  on: { Note: { actions: assign({ count: ({ context }) => context.count + 1 }) } },
});

async function failure(promise: Promise<unknown>): Promise<StatorError> {
  try {
    await promise;
  } catch (error) {
    return error as StatorError;
  }
  throw new Error('expected a rejection');
}

/** Real SQLite failures under the engine: a full database file, a WAL flush that fails. */
describe('the engine on SQLite when the disk fails', () => {
  let dir: string;
  let engine: Engine | undefined;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stator-faults-'));
  });
  afterEach(async () => {
    await engine?.close().catch(() => {});
    engine = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('a full disk fails the send, says nothing was kept, keeps nothing, and recovers once there is room', async () => {
    let db: Database.Database | undefined;
    const path = join(dir, 'full.db');
    engine = await createEngine({
      store: sqliteStoreForTests(
        { path },
        {
          onOpen: (d) => {
            db = d;
          },
        },
      ),
      machines: [notes],
      commitSettleMs: 200,
    });
    await engine.create('notes', 'n1');
    // SQLite's own limit on the file's pages: the next page it needs is refused with SQLITE_FULL.
    const pages = db?.pragma('page_count', { simple: true }) as number;
    db?.pragma(`max_page_count = ${pages}`);
    const error = await failure(
      engine.send('notes', 'n1', { type: 'Note', text: 'x'.repeat(200_000) }),
    );
    expect(error.code).toBe('STORE_ERROR');
    expect(error.details).toMatchObject({ outcome: 'not-committed', driverCode: 'SQLITE_FULL' });
    expect(error.message).toMatch(/Nothing of this commit was kept; retry it/);
    expect(await engine.get('notes', 'n1')).toMatchObject({ seq: 1, context: { count: 0 } });

    db?.pragma('max_page_count = 1073741823');
    expect(await engine.send('notes', 'n1', { type: 'Note', text: 'again' })).toMatchObject({
      seq: 2,
      context: { count: 1 },
    });
    expect((await engine.history('notes', 'n1')).events.map((e) => e.seq)).toEqual([1, 2]);
  });

  it('a WAL flush that fails makes the outcome unknown: COMMIT_OUTCOME_UNKNOWN, never "nothing was kept"', async () => {
    const path = join(dir, 'eio.db');
    const eio = () => Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' });
    let failing = false;
    engine = await createEngine({
      store: sqliteStoreForTests(
        { path },
        {
          fileSync: {
            background: (_fd, done) => done(failing ? eio() : null),
            now: () => {
              if (failing) throw eio();
            },
          },
        },
      ),
      machines: [notes],
      commitSettleMs: 200,
    });
    await engine.create('notes', 'n1');
    failing = true;
    const error = await failure(
      engine.send('notes', 'n1', { type: 'Note' }, { idempotencyKey: 'note-1' }),
    );
    expect(error.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(error.message).toMatch(/Retry with the same Idempotency-Key \("note-1"\)/);
    await engine.close().catch(() => {});
    engine = undefined;

    // After a restart the file tells: the commit reached the WAL, so it is there, once.
    engine = await createEngine({ store: sqliteStore({ path }), machines: [notes] });
    const retry = await engine.send('notes', 'n1', { type: 'Note' }, { idempotencyKey: 'note-1' });
    expect(retry).toMatchObject({ seq: 2, duplicate: true });
  });
});
