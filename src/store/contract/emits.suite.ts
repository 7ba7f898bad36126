import { describe, expect, it } from 'vitest';
import { createWrite, effect, emit, eventWrite, key } from './builders.js';
import type { ContractContext } from './context.js';

/** The store-wide emit log and the cursors subscribers keep in it. */
export function describeEmitContract(ctx: ContractContext): void {
  const order = key('order', 'o-1');
  const other = key('order', 'o-2');
  const invoice = key('invoice', 'i-1');

  const positions = async (after = 0, limit?: number) =>
    (await ctx.store.readEmits(after, limit)).map((e) => [e.position, e.effectId]);

  describe('emit log', () => {
    it('appends a write’s emits with store-wide positions 1, 2, 3… in commit order, fields intact', async () => {
      const first = [emit(order, 1, 0), emit(order, 1, 1, { type: 'order.created', total: 40 })];
      await ctx.store.commit([createWrite(order, { emits: first })]);
      expect(await ctx.store.readEmits(0)).toEqual([
        { ...first[0], position: 1 },
        { ...first[1], position: 2 },
      ]);
    });

    it('numbers emits across instances, machines and batches in one sequence', async () => {
      await ctx.store.commit([
        createWrite(order, { emits: [emit(order, 1, 0)] }),
        createWrite(invoice, { emits: [emit(invoice, 1, 0), emit(invoice, 1, 1)] }),
      ]);
      await ctx.store.commit([createWrite(other, { emits: [emit(other, 1, 0)] })]);
      await ctx.store.commit([eventWrite(order, 1, { emits: [emit(order, 2, 0)] })]);
      expect(await positions()).toEqual([
        [1, 'order/o-1/1/e0'],
        [2, 'invoice/i-1/1/e0'],
        [3, 'invoice/i-1/1/e1'],
        [4, 'order/o-2/1/e0'],
        [5, 'order/o-1/2/e0'],
      ]);
    });

    it('adds nothing for writes without emits', async () => {
      await ctx.store.commit([createWrite(order), eventWrite(order, 1, { emits: [] })]);
      expect(await ctx.store.readEmits(0)).toEqual([]);
    });

    it('keeps no emits of a failed write, and leaves no gap for them', async () => {
      await ctx.store.commit([createWrite(order, { emits: [emit(order, 1, 0)] })]);
      const outcomes = await ctx.store.commit([
        eventWrite(order, 0, { emits: [emit(order, 1, 9)] }), // stale
        createWrite(order, { emits: [emit(order, 1, 8)] }), // exists
        createWrite(other, { emits: [emit(other, 1, 0)] }),
      ]);
      expect(outcomes.map((o) => o.ok)).toEqual([false, false, true]);
      expect(await positions()).toEqual([
        [1, 'order/o-1/1/e0'],
        [2, 'order/o-2/1/e0'],
      ]);
    });

    it('keeps no emits of a batch that throws; the next commit continues the sequence', async () => {
      await ctx.store.commit([createWrite(order, { emits: [emit(order, 1, 0)] })]);
      const clash = effect(other, 1, 0);
      await expect(
        ctx.store.commit([
          createWrite(other, { outbox: [clash], emits: [emit(other, 1, 0)] }),
          createWrite(invoice, { outbox: [clash], emits: [emit(invoice, 1, 0)] }),
        ]),
      ).rejects.toMatchObject({ code: 'STORE_ERROR' });
      expect(await positions()).toEqual([[1, 'order/o-1/1/e0']]);
      await ctx.store.commit([eventWrite(order, 1, { emits: [emit(order, 2, 0)] })]);
      expect(await positions()).toEqual([
        [1, 'order/o-1/1/e0'],
        [2, 'order/o-1/2/e0'],
      ]);
    });

    it('pages with after (exclusive) and limit: 100 by default, at most 1000', async () => {
      const emits = Array.from({ length: 1005 }, (_, i) => emit(order, 1, i));
      await ctx.store.commit([createWrite(order, { emits })]);
      expect((await ctx.store.readEmits(0)).map((e) => e.position)).toEqual(
        Array.from({ length: 100 }, (_, i) => i + 1),
      );
      expect((await ctx.store.readEmits(1000)).map((e) => e.position)).toEqual([
        1001, 1002, 1003, 1004, 1005,
      ]);
      expect((await ctx.store.readEmits(10, 2)).map((e) => e.position)).toEqual([11, 12]);
      const big = await ctx.store.readEmits(0, 5000);
      expect(big).toHaveLength(1000);
      expect(big.at(-1)?.position).toBe(1000);
      expect(await ctx.store.readEmits(1005)).toEqual([]);
    });

    it('rejects a negative or fractional page with VALIDATION_FAILED', async () => {
      await expect(ctx.store.readEmits(-1)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(ctx.store.readEmits(0, 0.5)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });
  });

  describe('subscriber cursors', () => {
    it('start at 0 for a subscriber never seen', async () => {
      expect(await ctx.store.getCursor('webhook:billing')).toBe(0);
    });

    it('store the last handled position per subscriber, replacing the previous one', async () => {
      await ctx.store.setCursor('webhook:billing', 5);
      await ctx.store.setCursor('nats', 2);
      await ctx.store.setCursor('webhook:billing', 9);
      expect(await ctx.store.getCursor('webhook:billing')).toBe(9);
      expect(await ctx.store.getCursor('nats')).toBe(2);
    });

    it('may move back, to replay', async () => {
      await ctx.store.setCursor('nats', 9);
      await ctx.store.setCursor('nats', 3);
      expect(await ctx.store.getCursor('nats')).toBe(3);
    });

    it('reject a negative or fractional position and an empty name with VALIDATION_FAILED', async () => {
      await expect(ctx.store.setCursor('nats', -1)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(ctx.store.setCursor('nats', 1.5)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(ctx.store.setCursor('', 1)).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      expect(await ctx.store.getCursor('nats')).toBe(0);
    });
  });
}
