import { describe, expect, it } from 'vitest';
import { auditOnly, createWrite, eventWrite, key } from './builders.js';
import type { ContractContext } from './context.js';

/** findWrites: after a commit whose outcome is unknown, which of its writes are in the store. */
export function describeWriteIdContract(ctx: ContractContext): void {
  const order = key('order', 'o-1');
  const other = key('order', 'o-2');

  describe('findWrites', () => {
    it('finds an event write by its seq and write id, and nothing else at that seq', async () => {
      await ctx.store.commit([createWrite(order, { writeId: 'w-create' })]);
      await ctx.store.commit([eventWrite(order, 1, { writeId: 'w-pay' })]);
      expect(
        await ctx.store.findWrites([
          { kind: 'event', ...order, seq: 1, writeId: 'w-create' },
          { kind: 'event', ...order, seq: 2, writeId: 'w-pay' },
          // Another write that wanted the same seq: it is not the one there.
          { kind: 'event', ...order, seq: 2, writeId: 'w-other' },
          { kind: 'event', ...order, seq: 3, writeId: 'w-pay' },
          { kind: 'event', ...other, seq: 1, writeId: 'w-create' },
        ]),
      ).toEqual([true, true, false, false, false]);
    });

    it('does not find a write that failed its check', async () => {
      await ctx.store.commit([createWrite(order, { writeId: 'w-1' })]);
      const [outcome] = await ctx.store.commit([createWrite(order, { writeId: 'w-again' })]);
      expect(outcome).toMatchObject({ ok: false, code: 'INSTANCE_EXISTS' });
      expect(
        await ctx.store.findWrites([{ kind: 'event', ...order, seq: 1, writeId: 'w-again' }]),
      ).toEqual([false]);
    });

    it('finds an audit-only write by its transition id', async () => {
      await ctx.store.commit([createWrite(order)]);
      const rejected = auditOnly(order, { transitionId: 'order/o-1/rejected/abc' });
      await ctx.store.commit([rejected]);
      expect(
        await ctx.store.findWrites([
          { kind: 'audit', ...order, transitionId: 'order/o-1/rejected/abc' },
          { kind: 'audit', ...order, transitionId: 'order/o-1/rejected/def' },
          { kind: 'audit', ...other, transitionId: 'order/o-1/rejected/abc' },
        ]),
      ).toEqual([true, false, false]);
    });

    it('answers an empty question with an empty answer', async () => {
      expect(await ctx.store.findWrites([])).toEqual([]);
    });
  });

  describe('probe', () => {
    it('commits a small write on an open store, repeatedly', async () => {
      await ctx.store.probe();
      await ctx.store.probe();
      await ctx.store.commit([createWrite(order)]);
      expect(await ctx.store.getInstance(order)).toMatchObject({ seq: 1 });
    });
  });
}
