import { describe, expect, it } from 'vitest';
import { at, createWrite, effect, emit, eventWrite, key, timer } from './builders.js';
import type { ContractContext } from './context.js';

/** Store stats: grouped counts for metrics, never one row per instance. */
export function describeStatsContract(ctx: ContractContext): void {
  describe('stats', () => {
    it('counts instances by state key and status, with the oldest entry time of each group', async () => {
      await ctx.store.commit([
        createWrite(key('order', 'a'), { value: 'pending', at: at(10) }),
        createWrite(key('order', 'b'), { value: 'pending', at: at(5) }),
        createWrite(key('order', 'c'), { value: { paid: 'packed' }, at: at(7) }),
        createWrite(key('order', 'd'), { value: 'done', status: 'done', at: at(3) }),
        createWrite(key('cart', 'e'), { value: 'pending', at: at(1) }),
      ]);
      // Moving b out of pending makes a the oldest there, and b the only one in shipped.
      await ctx.store.commit([eventWrite(key('order', 'b'), 1, { value: 'shipped', at: at(20) })]);
      expect(await ctx.store.countByState('order')).toEqual([
        { stateKey: 'done', status: 'done', count: 1, oldestEnteredAt: at(3) },
        { stateKey: 'paid.packed', status: 'active', count: 1, oldestEnteredAt: at(7) },
        { stateKey: 'pending', status: 'active', count: 1, oldestEnteredAt: at(10) },
        { stateKey: 'shipped', status: 'active', count: 1, oldestEnteredAt: at(20) },
      ]);
      expect(await ctx.store.countByState('nothing')).toEqual([]);
    });

    it('counts pending and dead timers and outbox rows per machine', async () => {
      const a = key('order', 'a');
      const c = key('cart', 'c');
      await ctx.store.commit([
        createWrite(a, {
          timersSet: [timer(a, 't1', at(60)), timer(a, 't2', at(90))],
          outbox: [effect(a, 1, 0), effect(a, 1, 1), effect(a, 1, 2)],
        }),
        createWrite(c, { timersSet: [timer(c, 't1', at(60))] }),
      ]);
      await ctx.store.deadLetterTimer(a, 't2', { attempts: 3, lastError: 'boom', at: at(100) });
      await ctx.store.deadLetterOutbox(`order/a/1/2`, { attempts: 3, lastError: 'x', at: at(100) });
      await ctx.store.markOutboxStarted('order/a/1/1');
      expect(await ctx.store.countWork()).toEqual([
        { machine: 'cart', timersPending: 1, timersDead: 0, outboxPending: 0, outboxDead: 0 },
        { machine: 'order', timersPending: 1, timersDead: 1, outboxPending: 2, outboxDead: 1 },
      ]);
    });

    it('counts the emits committed after each stored cursor, by subscriber', async () => {
      const a = key('order', 'a');
      const b = key('order', 'b');
      expect(await ctx.store.countEmitBacklog()).toEqual([]);
      await ctx.store.commit([createWrite(a, { emits: [emit(a, 1, 0), emit(a, 1, 1)] })]);
      await ctx.store.commit([createWrite(b, { emits: [emit(b, 1, 0)] })]);
      expect(await ctx.store.readEmits(0)).toHaveLength(3);
      await ctx.store.setCursor('mailer', 1);
      await ctx.store.setCursor('audit', 3);
      await ctx.store.setCursor('fresh', 0);
      // Emits nobody has read yet count too (a store may number them only when read).
      await ctx.store.commit([eventWrite(a, 1, { emits: [emit(a, 2, 0), emit(a, 2, 1)] })]);
      const expected = [
        { subscriber: 'audit', backlog: 2 },
        { subscriber: 'fresh', backlog: 5 },
        { subscriber: 'mailer', backlog: 4 },
      ];
      expect(await ctx.store.countEmitBacklog()).toEqual(expected);
      expect(await ctx.store.readEmits(3)).toHaveLength(2);
      expect(await ctx.store.countEmitBacklog()).toEqual(expected);
      await ctx.store.setCursor('audit', 5);
      expect((await ctx.store.countEmitBacklog())[0]).toEqual({ subscriber: 'audit', backlog: 0 });
    });
  });
}
