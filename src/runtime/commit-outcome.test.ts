import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assign, fromPromise, setup } from 'xstate';
import type { StatorError } from '../core/errors.js';
import { memoryStore } from '../store/memory/memory-store.js';
import { faultyStore } from '../store/test-support/faulty-store.js';
import { createTestEngine } from '../testing/test-engine.js';
import { createEngine } from './engine.js';
import { type TestStore, testStores } from './test-support/stores.js';
import type { Engine } from './types.js';

/** A counter whose history shows every applied Add by its marker. */
const counter = setup({ types: { context: {} as { total: number } } }).createMachine({
  id: 'counter',
  context: { total: 0 },
  on: {
    Add: {
      actions: assign({
        total: ({ context, event }) => context.total + (event as never as { n: number }).n,
      }),
    },
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

describe.each(Object.keys(testStores))('commits whose outcome is unknown, on %s', (kind) => {
  let t: TestStore;
  let store: ReturnType<typeof faultyStore>;
  let engine: Engine;

  beforeEach(async () => {
    t = testStores[kind]!();
    store = faultyStore(t.store);
    engine = await createEngine({
      store,
      machines: [counter],
      dispatch: 'manual',
      commitSettleMs: 300,
    });
    await engine.create('counter', 'c1');
  });
  afterEach(async () => {
    store.unreachable = false;
    await engine.close();
    t.cleanup();
  });

  const markers = async () =>
    (await engine.history('counter', 'c1')).events
      .filter((e) => e.type === 'Add')
      .map((e) => e.payload.n);

  it('a send whose commit landed but whose answer was lost is applied once and acknowledged', async () => {
    store.fail('lost-answer');
    const result = await engine.send('counter', 'c1', { type: 'Add', n: 5 });
    expect(result).toMatchObject({ seq: 2, context: { total: 5 }, duplicate: false });
    expect(await markers()).toEqual([5]);
    expect(await engine.get('counter', 'c1')).toMatchObject({ seq: 2, context: { total: 5 } });
  });

  it('a send whose commit never arrived is committed again, once', async () => {
    store.fail('lost-request');
    await engine.send('counter', 'c1', { type: 'Add', n: 7 });
    expect(await markers()).toEqual([7]);
  });

  it('a lost answer inside a group commit settles every write of the batch exactly once', async () => {
    await Promise.all(['c2', 'c3', 'c4'].map((id) => engine.create('counter', id)));
    store.fail('lost-answer');
    const results = await Promise.all(
      ['c1', 'c2', 'c3', 'c4'].map((id, n) => engine.send('counter', id, { type: 'Add', n })),
    );
    expect(results.map((r) => r.seq)).toEqual([2, 2, 2, 2]);
    for (const id of ['c1', 'c2', 'c3', 'c4']) {
      const { events } = await engine.history('counter', id);
      expect(events.map((e) => e.type)).toEqual(['xstate.init', 'Add']);
    }
  });

  it('when the store cannot tell, the caller gets COMMIT_OUTCOME_UNKNOWN, and the truth is read back later', async () => {
    store.fail('lost-answer');
    store.unreachable = true;
    const error = await failure(
      engine.send('counter', 'c1', { type: 'Add', n: 3 }, { idempotencyKey: 'add-3' }),
    );
    expect(error.code).toBe('COMMIT_OUTCOME_UNKNOWN');
    expect(error.message).toMatch(/Retry with the same Idempotency-Key \("add-3"\)/);
    store.unreachable = false;
    // The first attempt had landed: the state read now is the stored one, and the retry applies nothing.
    expect(await engine.get('counter', 'c1')).toMatchObject({ seq: 2, context: { total: 3 } });
    const retry = await engine.send(
      'counter',
      'c1',
      { type: 'Add', n: 3 },
      { idempotencyKey: 'add-3' },
    );
    expect(retry).toMatchObject({ seq: 2, duplicate: true });
    expect(await engine.send('counter', 'c1', { type: 'Add', n: 1 })).toMatchObject({
      seq: 3,
      context: { total: 4 },
    });
    expect(await markers()).toEqual([3, 1]);
  });

  it('a commit known to have kept nothing says so, and is not retried when the store refused its data', async () => {
    store.fail('refused', 2);
    const error = await failure(engine.send('counter', 'c1', { type: 'Add', n: 1 }));
    expect(error.code).toBe('STORE_ERROR');
    expect(error.message).toMatch(/Nothing of this commit was kept/);
    expect(await markers()).toEqual([]);
    expect(store.commits.length).toBe(3); // create, the batch, and the write alone: no blind retries
  });
});

describe('engine-internal deliveries whose commit outcome is unknown', () => {
  const reminder = setup({
    actors: { charge: fromPromise(async () => 'ch-1') },
  }).createMachine({
    id: 'reminder',
    initial: 'waiting',
    context: { reminded: 0 },
    states: {
      waiting: {
        after: {
          1000: {
            target: 'charging',
            actions: assign({ reminded: ({ context }) => context.reminded + 1 }),
          },
        },
      },
      charging: { invoke: { src: 'charge', onDone: 'done' } },
      done: { type: 'final' },
    },
  });

  it('a timer firing and an activity result are each applied once when their answers are lost', async () => {
    const store = faultyStore(memoryStore());
    const t = await createTestEngine({ machines: [reminder], store, commitSettleMs: 300 });
    try {
      await t.engine.create('reminder', 'r1');
      // Every commit from here on loses its answer: the timer's, the result's, the outbox's.
      store.fail('lost-answer', 6);
      await t.advanceBy(1000);
      await t.settle();
      const { events } = await t.engine.history('reminder', 'r1');
      expect(events.map((e) => e.type)).toEqual([
        'xstate.init',
        'xstate.after.1000.reminder.waiting',
        'xstate.done.actor.0.reminder.charging',
      ]);
      expect(await t.engine.get('reminder', 'r1')).toMatchObject({
        value: 'done',
        status: 'done',
        context: { reminded: 1 },
      });
    } finally {
      await t.engine.close();
    }
  });
});
