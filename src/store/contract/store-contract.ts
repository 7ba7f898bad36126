/**
 * The store contract as executable specifications. Every adapter's test file
 * calls `describeStoreContract`; a promise of `Store` that is not tested here is
 * not a promise.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { InstanceKey, Store } from '../types.js';
import { describeApiKeyContract } from './api-keys.suite.js';
import {
  apiKey,
  at,
  auditOnly,
  createWrite,
  effect,
  emit,
  eventWrite,
  key,
  readAll,
  snapshotRow,
  timer,
} from './builders.js';
import { describeCommitContract } from './commit.suite.js';
import type { ContractContext, StoreHarness } from './context.js';
import { describeDataContract } from './data.suite.js';
import { describeEmitContract } from './emits.suite.js';
import { describeHistoryContract } from './history.suite.js';
import { describeListInstancesContract } from './list-instances.suite.js';
import { describeMachineVersionContract } from './machine-versions.suite.js';
import { describeOutboxContract } from './outbox.suite.js';
import { describeRowFieldsContract } from './row-fields.suite.js';
import { describeSideRowsContract } from './side-rows.suite.js';
import { describeStatsContract } from './stats.suite.js';
import { describeTimerContract } from './timers.suite.js';
import { describeWriteIdContract } from './write-ids.suite.js';

export type { StoreHarness } from './context.js';

/**
 * Register the contract suite for one adapter. `makeStore` returns a fresh,
 * empty, *unopened* store; `reopen` (adapters that persist) a new store over the
 * same data; `cleanup` removes what the store left behind. Runs under vitest
 * (an optional peer dependency of `stator/testing/store-contract`).
 *
 * @example
 * // my-store.test.ts, for a third-party adapter
 * import { describeStoreContract } from 'stator/testing/store-contract';
 * import { myStore } from './my-store.js';
 *
 * describeStoreContract('my', async () => {
 *   const db = await freshDatabase();
 *   return { store: myStore(db), reopen: async () => myStore(db), cleanup: () => db.drop() };
 * });
 */
export function describeStoreContract(name: string, makeStore: () => Promise<StoreHarness>): void {
  describe(`${name} store contract`, () => {
    const ctx = {} as ContractContext;
    let harness: StoreHarness;

    beforeEach(async () => {
      harness = await makeStore();
      ctx.store = harness.store;
      await ctx.store.open();
    });

    afterEach(async () => {
      await ctx.store.close();
      await harness.cleanup?.();
    });

    describe('lifecycle', () => {
      const order = key('order', 'o-1');

      it('rejects every call with STORE_ERROR until it is opened', async () => {
        const fresh = await makeStore();
        try {
          await expect(fresh.store.getInstance(order)).rejects.toMatchObject({
            code: 'STORE_ERROR',
            message: expect.stringMatching(/not open/),
          });
          await expect(fresh.store.commit([createWrite(order)])).rejects.toMatchObject({
            code: 'STORE_ERROR',
          });
        } finally {
          await fresh.store.close();
          await fresh.cleanup?.();
        }
      });

      it('opens idempotently: a second open keeps the data', async () => {
        await ctx.store.commit([createWrite(order)]);
        await ctx.store.open();
        expect(await ctx.store.getInstance(order)).toMatchObject({ seq: 1 });
      });

      it('rejects every call after close with STORE_ERROR "store is closed"', async () => {
        await ctx.store.close();
        await ctx.store.close(); // closing twice is harmless
        const closed = { code: 'STORE_ERROR', message: expect.stringMatching(/store is closed/) };
        const lease = { owner: 'a', now: 0, until: 1, limit: 1 };
        const attempt = { attempts: 1, lastError: 'x', at: 0 };
        const s = ctx.store;
        const calls: (() => Promise<unknown>)[] = [
          () => s.open(),
          () => s.commit([createWrite(order)]),
          () => s.getInstance(order),
          () => s.latestSnapshot(order),
          () => s.saveSnapshot(snapshotRow(order, 1)),
          () => s.readEvents(order),
          () => s.readAudit(order),
          () => s.getIdempotency(order, 'k'),
          () => s.listTimers(order),
          () => s.listOutbox(order),
          () => s.listInstances({ machine: 'order' }),
          () => s.getTimer(order, 't'),
          () => s.nextTimerDue(),
          () => s.claimDueTimers(lease),
          () => s.retryTimer(order, 't', attempt),
          () => s.deadLetterTimer(order, 't', attempt),
          () => s.listDeadTimers(),
          () => s.reviveTimer(order, 't', 0),
          () => s.getOutbox('e'),
          () => s.nextOutboxDue(),
          () => s.claimOutbox(lease),
          () => s.markOutboxStarted('e'),
          () => s.retryOutbox('e', attempt),
          () => s.deadLetterOutbox('e', attempt),
          () => s.listDeadOutbox(),
          () => s.reviveOutbox('e', 0),
          () => s.putApiKey(apiKey('k')),
          () => s.findApiKey('h'),
          () => s.listApiKeys(),
          () => s.revokeApiKey('k', 0),
          () => s.readEmits(0),
          () => s.getCursor('c'),
          () => s.setCursor('c', 1),
        ];
        for (const call of calls) await expect(call()).rejects.toMatchObject(closed);
      });
    });

    describeCommitContract(ctx);
    describeHistoryContract(ctx);
    describeSideRowsContract(ctx);
    describeDataContract(ctx);
    describeRowFieldsContract(ctx);
    describeListInstancesContract(ctx);
    describeTimerContract(ctx);
    describeOutboxContract(ctx);
    describeEmitContract(ctx);
    describeApiKeyContract(ctx);
    describeWriteIdContract(ctx);
    describeMachineVersionContract(ctx);
    describeStatsContract(ctx);

    describe('persistence', () => {
      it('keeps everything across close and reopen', async (test) => {
        const reopen = harness.reopen;
        if (reopen === undefined) return test.skip('the adapter does not persist');
        const order = key('order', 'o-1');
        await ctx.store.commit([
          createWrite(order, {
            timersSet: [timer(order, 'reminder', 5000)],
            outbox: [effect(order, 1, 0)],
            idempotency: { key: 'create-o-1' },
            snapshot: { value: 'pending' },
          }),
          auditOnly(order),
        ]);
        const before = await readAll(ctx.store, order, ['create-o-1']);
        await ctx.store.close();

        ctx.store = await reopen();
        await ctx.store.open();

        expect(await readAll(ctx.store, order, ['create-o-1'])).toEqual(before);
        await expectSequenceCheckStillHolds(ctx.store, order);
        expect((await ctx.store.readAudit(order)).map((a) => a.position)).toEqual([1, 2, 3]);
      });

      it('keeps emits, cursors, API keys, parent links and dead letters across close and reopen', async (test) => {
        const reopen = harness.reopen;
        if (reopen === undefined) return test.skip('the adapter does not persist');
        const child = key('payment', 'p-1');
        const parent = { machine: 'order', id: 'o-1', activityId: 'charge' };
        await ctx.store.commit([
          createWrite(child, {
            parent,
            emits: [emit(child, 1, 0)],
            timersSet: [timer(child, 'dead', at(1)), timer(child, 'leased', at(2))],
            outbox: [effect(child, 1, 0), effect(child, 1, 1)],
          }),
        ]);
        const failure = { attempts: 3, lastError: 'boom', at: 0 };
        await ctx.store.deadLetterTimer(child, 'dead', failure);
        await ctx.store.deadLetterOutbox(effect(child, 1, 0).effectId, failure);
        await ctx.store.markOutboxStarted(effect(child, 1, 1).effectId);
        await ctx.store.claimDueTimers({ owner: 'a', now: at(5), until: at(65), limit: 10 });
        await ctx.store.setCursor('relay', 1);
        await ctx.store.putApiKey(apiKey('k-1'));
        const snapshot = async () => ({
          instance: await ctx.store.getInstance(child),
          emits: await ctx.store.readEmits(0),
          deadTimers: await ctx.store.listDeadTimers(),
          deadOutbox: await ctx.store.listDeadOutbox(),
          outbox: await ctx.store.listOutbox(child),
          cursor: await ctx.store.getCursor('relay'),
          keys: await ctx.store.listApiKeys(),
        });
        const before = await snapshot();
        await ctx.store.close();

        ctx.store = await reopen();
        await ctx.store.open();

        expect(await snapshot()).toEqual(before);
        expect(before.instance?.parent).toEqual(parent);
        // The lease survived too: nobody else gets the leased timer before it expires.
        expect(
          await ctx.store.claimDueTimers({ owner: 'b', now: at(64), until: at(99), limit: 10 }),
        ).toEqual([]);
        await ctx.store.commit([eventWrite(child, 1, { emits: [emit(child, 2, 0)] })]);
        expect((await ctx.store.readEmits(1)).map((e) => e.position)).toEqual([2]);
      });
    });
  });
}

async function expectSequenceCheckStillHolds(store: Store, k: InstanceKey): Promise<void> {
  expect(await store.commit([eventWrite(k, 0)])).toEqual([
    { ok: false, code: 'SEQUENCE_CONFLICT', actual: 1 },
  ]);
  expect(await store.commit([eventWrite(k, 1)])).toEqual([{ ok: true }]);
}
