import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import type { StatorError } from '../core/errors.js';
import { sqliteStore } from '../store/sqlite/sqlite-store.js';
import { createEngine } from './engine.js';
import { type TestStore, testStores } from './test-support/stores.js';
import type { Engine } from './types.js';

interface Ctx {
  total: number;
  ratio: number;
  seenAt: unknown;
  tags: unknown[];
}

/** A machine whose assigns can be made to produce values JSON cannot keep. */
const ledger = setup({
  types: {
    context: {} as Ctx,
    events: {} as
      | { type: 'Add'; n: number }
      | { type: 'Divide'; by: number }
      | { type: 'Stamp' }
      | { type: 'Tag'; tag?: string },
  },
}).createMachine({
  id: 'ledger',
  context: { total: 0, ratio: 1, seenAt: null, tags: [] },
  on: {
    Add: { actions: assign({ total: ({ context, event }) => context.total + event.n }) },
    Divide: { actions: assign({ ratio: ({ context, event }) => context.total / event.by }) },
    Stamp: { actions: assign({ seenAt: () => new Date(0) }) },
    Tag: { actions: assign({ tags: ({ context, event }) => [...context.tags, event.tag] }) },
  },
});

async function failure(promise: Promise<unknown>): Promise<StatorError> {
  try {
    await promise;
  } catch (error) {
    return error as StatorError;
  }
  throw new Error('expected a rejection');
}

describe.each(Object.keys(testStores))('a context that is not JSON data, on %s', (kind) => {
  let t: TestStore;
  let engine: Engine;
  beforeEach(async () => {
    t = testStores[kind]!();
    engine = await createEngine({ store: t.store, machines: [ledger], dispatch: 'manual' });
    await engine.create('ledger', 'l1');
  });
  afterEach(async () => {
    await engine.close();
    t.cleanup();
  });

  it.each([
    [{ type: 'Divide', by: 0 }, 'context.ratio is NaN'],
    [{ type: 'Stamp' }, 'context.seenAt is a Date'],
    [{ type: 'Tag' }, 'context.tags[0] is undefined'],
  ])(
    'refuses %j at commit with STEP_FAILED naming the path, and records nothing',
    async (event, problem) => {
      await engine.send('ledger', 'l1', { type: 'Add', n: 0 }); // total 0: 0/0 is NaN
      const error = await failure(engine.send('ledger', 'l1', event));
      expect(error.code).toBe('STEP_FAILED');
      expect(error.message).toContain(problem);
      expect(await engine.get('ledger', 'l1')).toMatchObject({ seq: 2 });
      const { entries } = await engine.audit('ledger', 'l1');
      expect(entries.at(-1)).toMatchObject({ outcome: 'rejected_error', eventType: event.type });
      // The instance goes on with good data.
      expect(await engine.send('ledger', 'l1', { type: 'Add', n: 2 })).toMatchObject({
        seq: 3,
        context: { total: 2, ratio: 1 },
      });
    },
  );
});

describe('a stored event changed under the engine', () => {
  let dir: string;
  beforeEach(async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    dir = join(mkdtempSync(join(tmpdir(), 'stator-tamper-')), 'stator.db');
  });

  it('is refused with REPLAY_DIVERGED when the rebuilt state differs from the stored row', async () => {
    const first = await createEngine({ store: sqliteStore({ path: dir }), machines: [ledger] });
    await first.create('ledger', 'l1');
    await first.send('ledger', 'l1', { type: 'Add', n: 5 });
    await first.close();

    const db = new Database(dir);
    db.prepare(`UPDATE stator_events SET payload = '{"n":6}' WHERE seq = 2`).run();
    db.close();

    const engine = await createEngine({ store: sqliteStore({ path: dir }), machines: [ledger] });
    try {
      const error = await failure(engine.send('ledger', 'l1', { type: 'Add', n: 1 }));
      expect(error.code).toBe('REPLAY_DIVERGED');
      expect(error.message).toMatch(/different context than the stored row/);
      expect(await engine.get('ledger', 'l1')).toMatchObject({ seq: 2, context: { total: 5 } });
    } finally {
      await engine.close();
    }
  });
});
