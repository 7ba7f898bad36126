/**
 * The store contract as executable specifications. Every adapter's test file
 * calls `describeStoreContract`; a promise of `Store` that is not tested here is
 * not a promise.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { describeCommitContract } from './contract/commit.suite.js';
import { describeDataContract } from './contract/data.suite.js';
import { describeHistoryContract } from './contract/history.suite.js';
import { describeSideRowsContract } from './contract/side-rows.suite.js';
import {
  auditOnly,
  createWrite,
  effect,
  eventWrite,
  key,
  readAll,
  snapshotRow,
  timer,
} from './test-support/builders.js';
import type { ContractContext, StoreHarness } from './test-support/contract-context.js';
import type { InstanceKey, Store } from './types.js';

export type { StoreHarness } from './test-support/contract-context.js';

/**
 * Register the contract suite for one adapter. `makeStore` returns a fresh,
 * empty, *unopened* store; `reopen` (adapters that persist) a new store over the
 * same data; `cleanup` removes what the store left behind.
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
        ];
        for (const call of calls) await expect(call()).rejects.toMatchObject(closed);
      });
    });

    describeCommitContract(ctx);
    describeHistoryContract(ctx);
    describeSideRowsContract(ctx);
    describeDataContract(ctx);

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
    });
  });
}

async function expectSequenceCheckStillHolds(store: Store, k: InstanceKey): Promise<void> {
  expect(await store.commit([eventWrite(k, 0)])).toEqual([
    { ok: false, code: 'SEQUENCE_CONFLICT', actual: 1 },
  ]);
  expect(await store.commit([eventWrite(k, 1)])).toEqual([{ ok: true }]);
}
