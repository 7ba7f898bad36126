import { describe, expect, it } from 'vitest';
import type { CommitWrite, InstanceKey, Store } from '../types.js';
import { auditOnly, createWrite, eventWrite, key } from './builders.js';
import type { ContractContext } from './context.js';

/** readEvents and readAudit: order, paging, and audit positions. */
export function describeHistoryContract(ctx: ContractContext): void {
  const order = key('order', 'o-1');
  const other = key('order', 'o-2');

  describe('readEvents', () => {
    it('returns events in seq order, all fields intact', async () => {
      const writes = [createWrite(order), eventWrite(order, 1, { type: 'Pay' })];
      await ctx.store.commit(writes);
      expect(await ctx.store.readEvents(order)).toEqual(writes.map((w) => w.event));
    });

    it('pages with after (exclusive) and limit', async () => {
      await commitHistory(ctx.store, order, 10);
      const seqs = async (page: { after?: number; limit?: number }) =>
        (await ctx.store.readEvents(order, page)).map((e) => e.seq);
      expect(await seqs({ after: 7 })).toEqual([8, 9, 10]);
      expect(await seqs({ limit: 3 })).toEqual([1, 2, 3]);
      expect(await seqs({ after: 3, limit: 2 })).toEqual([4, 5]);
      expect(await seqs({ after: 10 })).toEqual([]);
      expect(await seqs({ limit: 0 })).toEqual([]);
    });

    it('returns 100 events by default and never more than 1000 at once', async () => {
      await commitHistory(ctx.store, order, 1005);
      expect(await ctx.store.readEvents(order)).toHaveLength(100);
      const big = await ctx.store.readEvents(order, { limit: 5000 });
      expect(big).toHaveLength(1000);
      expect(big.at(-1)?.seq).toBe(1000);
    });

    it('returns nothing for an unknown instance', async () => {
      expect(await ctx.store.readEvents(order)).toEqual([]);
    });

    it('ends a page before its payloads pass maxBytes, but always returns one event', async () => {
      const big = { text: 'é'.repeat(500) }; // 1,011 bytes of JSON in UTF-8
      const size = Buffer.byteLength(JSON.stringify(big));
      await ctx.store.commit([createWrite(order, { payload: big })]);
      for (let seq = 1; seq < 5; seq++) {
        await ctx.store.commit([eventWrite(order, seq, { payload: big })]);
      }
      const seqs = async (page: { after?: number; limit?: number; maxBytes?: number }) =>
        (await ctx.store.readEvents(order, page)).map((e) => e.seq);
      expect(await seqs({ maxBytes: 2 * size })).toEqual([1, 2]);
      expect(await seqs({ maxBytes: 2 * size - 1 })).toEqual([1]);
      expect(await seqs({ maxBytes: 1 })).toEqual([1]);
      expect(await seqs({ after: 3, maxBytes: 1 })).toEqual([4]);
      expect(await seqs({ after: 1, limit: 2, maxBytes: 10 * size })).toEqual([2, 3]);
      expect(await seqs({})).toEqual([1, 2, 3, 4, 5]);
    });

    it('rejects a negative or fractional page with VALIDATION_FAILED', async () => {
      await expect(ctx.store.readEvents(order, { after: -1 })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(ctx.store.readAudit(order, { limit: 1.5 })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });
  });

  describe('readAudit', () => {
    it('numbers audit rows 1, 2, 3… per instance in append order, audit-only writes included', async () => {
      const rejected = auditOnly(order, { eventType: 'Refund', reason: 'not here' });
      await ctx.store.commit([createWrite(order), rejected, createWrite(other)]);
      await ctx.store.commit([auditOnly(other), eventWrite(order, 1, { type: 'Pay' })]);

      expect(await ctx.store.readAudit(order)).toEqual([
        expect.objectContaining({
          position: 1,
          eventType: 'xstate.init',
          outcome: 'applied',
          seq: 1,
        }),
        { ...rejected.audit, position: 2 },
        expect.objectContaining({ position: 3, eventType: 'Pay', seq: 2 }),
      ]);
      expect((await ctx.store.readAudit(other)).map((a) => a.position)).toEqual([1, 2]);
    });

    it('records rejections for an instance that does not exist', async () => {
      await ctx.store.commit([auditOnly(order, { outcome: 'rejected_auth', from: null })]);
      expect(await ctx.store.getInstance(order)).toBeUndefined();
      expect(await ctx.store.readAudit(order)).toEqual([
        expect.objectContaining({ position: 1, outcome: 'rejected_auth', seq: null, to: null }),
      ]);
    });

    it('leaves no gap in positions after a failed write', async () => {
      await ctx.store.commit([createWrite(order)]);
      await ctx.store.commit([eventWrite(order, 0), auditOnly(order)]);
      expect((await ctx.store.readAudit(order)).map((a) => [a.position, a.outcome])).toEqual([
        [1, 'applied'],
        [2, 'rejected_invalid'],
      ]);
    });

    it('pages with after (exclusive) and limit', async () => {
      await ctx.store.commit(Array.from({ length: 12 }, (_, i) => auditOnly(order, { at: i })));
      const positions = async (page: { after?: number; limit?: number }) =>
        (await ctx.store.readAudit(order, page)).map((a) => a.position);
      expect(await positions({})).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(await positions({ after: 10 })).toEqual([11, 12]);
      expect(await positions({ after: 2, limit: 3 })).toEqual([3, 4, 5]);
      expect(await positions({ after: 12 })).toEqual([]);
    });
  });
}

/** Create `k` and apply events until its seq is `length`, in batches of up to 250 writes. */
async function commitHistory(store: Store, k: InstanceKey, length: number): Promise<void> {
  const writes: CommitWrite[] = [createWrite(k)];
  for (let seq = 1; seq < length; seq++) writes.push(eventWrite(k, seq));
  for (let i = 0; i < writes.length; i += 250) {
    const outcomes = await store.commit(writes.slice(i, i + 250));
    expect(outcomes.every((o) => o.ok)).toBe(true);
  }
}
