import { describe, expect, it } from 'vitest';
import { at, auditOnly, bare, createWrite, effect, eventWrite, key, timer } from './builders.js';
import type { ContractContext } from './context.js';

/** Optional row fields: the parent link of a child instance, and the documented defaults. */
export function describeRowFieldsContract(ctx: ContractContext): void {
  const order = key('order', 'o-1');
  const child = key('payment', 'o-1.charge');
  const parent = { machine: 'order', id: 'o-1', activityId: 'charge' };

  describe('parent link', () => {
    it('round-trips a child instance’s parent link', async () => {
      const write = createWrite(child, { parent });
      await ctx.store.commit([createWrite(order), write]);
      expect(await ctx.store.getInstance(child)).toEqual(write.instance);
      expect((await ctx.store.listInstances({ machine: 'payment' }))[0]?.parent).toEqual(parent);
    });

    it('is null for an instance created without one', async () => {
      await ctx.store.commit([createWrite(order, { parent: undefined })]);
      expect(await ctx.store.getInstance(order)).toMatchObject({ parent: null });
    });

    it('stays when an event write leaves it out, and is cleared by an explicit null', async () => {
      await ctx.store.commit([createWrite(child, { parent })]);
      await ctx.store.commit([eventWrite(child, 1, { parent: undefined })]);
      expect(await ctx.store.getInstance(child)).toMatchObject({ seq: 2, parent });
      await ctx.store.commit([eventWrite(child, 2, { parent: null })]);
      expect(await ctx.store.getInstance(child)).toMatchObject({ seq: 3, parent: null });
    });

    it('keeps the stored link when a write with a new one fails its check', async () => {
      await ctx.store.commit([createWrite(child, { parent })]);
      const stale = eventWrite(child, 0, { parent: { ...parent, id: 'o-9' } });
      await ctx.store.commit([stale]);
      expect((await ctx.store.getInstance(child))?.parent).toEqual(parent);
    });
  });

  describe('defaults of optional fields', () => {
    it('reads a timer written without attempts, status or lastError as 0, pending, null', async () => {
      const written = bare(timer(order, 'reminder', at(10)), 'attempts', 'status', 'lastError');
      await ctx.store.commit([createWrite(order, { timersSet: [written] })]);
      const expected = { ...written, attempts: 0, status: 'pending', lastError: null };
      expect(await ctx.store.getTimer(order, 'reminder')).toEqual(expected);
      expect(await ctx.store.listTimers(order)).toEqual([expected]);
    });

    it('keeps attempts and lastError written with a timer', async () => {
      const written = timer(order, 'reminder', at(10), { attempts: 2, lastError: 'unreachable' });
      await ctx.store.commit([createWrite(order, { timersSet: [written] })]);
      expect(await ctx.store.getTimer(order, 'reminder')).toEqual(written);
    });

    it('reads an outbox row written without status or lastError as pending, null', async () => {
      const written = bare(effect(order, 1, 0), 'status', 'lastError');
      await ctx.store.commit([createWrite(order, { outbox: [written] })]);
      const expected = { ...written, status: 'pending', lastError: null };
      expect(await ctx.store.getOutbox(written.effectId)).toEqual(expected);
      expect(await ctx.store.listOutbox(order)).toEqual([expected]);
    });
  });

  describe('audit outcomes', () => {
    it('records a discarded system event', async () => {
      const discarded = auditOnly(order, {
        outcome: 'discarded',
        eventType: 'xstate.done.actor.charge',
        reason: 'the activity’s state was exited',
      });
      await ctx.store.commit([createWrite(order), discarded]);
      expect((await ctx.store.readAudit(order))[1]).toEqual({ ...discarded.audit, position: 2 });
    });
  });
}
