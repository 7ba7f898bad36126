import { describe, expect, it } from 'vitest';
import { at, createWrite, effect, eventWrite, key, snapshotRow, timer } from './builders.js';
import type { ContractContext } from './context.js';

/** Timers, outbox rows and snapshots written alongside events. */
export function describeSideRowsContract(ctx: ContractContext): void {
  const order = key('order', 'o-1');
  const other = key('order', 'o-2');

  describe('timers', () => {
    it('lists an instance’s pending timers by due time (then timer id), fields intact', async () => {
      const late = timer(order, 'a-late', at(30), { event: { type: 'Expire', reason: 'late' } });
      const early = timer(order, 'z-early', at(10), { target: 'payment' });
      const tie = timer(order, 'b-late', at(30));
      await ctx.store.commit([
        createWrite(order, { timersSet: [late, early, tie] }),
        createWrite(other, { timersSet: [timer(other, 'x', at(1))] }),
      ]);
      expect(await ctx.store.listTimers(order)).toEqual([early, late, tie]);
    });

    it('deletes cancelled timers and ignores cancels of unknown ids', async () => {
      await ctx.store.commit([
        createWrite(order, { timersSet: [timer(order, 'a', at(10)), timer(order, 'b', at(20))] }),
      ]);
      await ctx.store.commit([eventWrite(order, 1, { timersCancelled: ['a', 'never-set'] })]);
      expect((await ctx.store.listTimers(order)).map((t) => t.timerId)).toEqual(['b']);
    });

    it('applies cancels before sets: cancelling and re-setting one id in a write keeps the new timer', async () => {
      await ctx.store.commit([createWrite(order, { timersSet: [timer(order, 'retry', at(10))] })]);
      const reset = timer(order, 'retry', at(50), { setBySeq: 2 });
      await ctx.store.commit([
        eventWrite(order, 1, { timersCancelled: ['retry'], timersSet: [reset] }),
      ]);
      expect(await ctx.store.listTimers(order)).toEqual([reset]);
    });

    it('replaces a timer set again under the same id', async () => {
      await ctx.store.commit([createWrite(order, { timersSet: [timer(order, 'ping', at(10))] })]);
      const again = timer(order, 'ping', at(5), { setBySeq: 2, event: { type: 'Ping', n: 2 } });
      await ctx.store.commit([eventWrite(order, 1, { timersSet: [again] })]);
      expect(await ctx.store.listTimers(order)).toEqual([again]);
    });
  });

  describe('outbox', () => {
    it('lists an instance’s effects in (seq, index) order, fields intact', async () => {
      const first = [effect(order, 1, 1), effect(order, 1, 0)];
      const second = [
        effect(order, 2, 1, { kind: 'emit', event: { type: 'order.paid', ...{ total: 40 } } }),
        effect(order, 2, 0, {
          kind: 'activity.start',
          activityId: 'charge',
          src: 'charge',
          input: { total: 40 },
        }),
      ];
      await ctx.store.commit([createWrite(order, { outbox: first })]);
      await ctx.store.commit([
        eventWrite(order, 1, { outbox: second }),
        createWrite(other, { outbox: [effect(other, 1, 0)] }),
      ]);
      expect(await ctx.store.listOutbox(order)).toEqual([first[1], first[0], second[1], second[0]]);
    });

    it('keeps attempts and next attempt time as written', async () => {
      const row = { ...effect(order, 1, 0), attempts: 3, nextAttemptAt: at(99) };
      await ctx.store.commit([createWrite(order, { outbox: [row] })]);
      expect(await ctx.store.listOutbox(order)).toEqual([row]);
    });
  });

  describe('snapshots', () => {
    it('has no snapshot for an instance that never took one', async () => {
      await ctx.store.commit([createWrite(order)]);
      expect(await ctx.store.latestSnapshot(order)).toBeUndefined();
    });

    it('returns the snapshot with the highest seq, whichever way it was stored', async () => {
      const written = createWrite(order, { snapshot: { value: 'pending', context: {} } });
      await ctx.store.commit([written, eventWrite(order, 1), eventWrite(order, 2)]);
      expect(await ctx.store.latestSnapshot(order)).toEqual(written.snapshot);

      await ctx.store.saveSnapshot(snapshotRow(order, 3));
      await ctx.store.saveSnapshot(snapshotRow(order, 2));
      expect(await ctx.store.latestSnapshot(order)).toEqual(snapshotRow(order, 3));
    });

    it('replaces a snapshot saved again at the same seq', async () => {
      await ctx.store.saveSnapshot(snapshotRow(order, 4, { n: 1 }));
      const replacement = { ...snapshotRow(order, 4, { n: 2 }), version: '2' };
      await ctx.store.saveSnapshot(replacement);
      expect(await ctx.store.latestSnapshot(order)).toEqual(replacement);
    });

    it('replaces a saved snapshot when a write brings one at the same seq', async () => {
      await ctx.store.commit([createWrite(order)]);
      await ctx.store.saveSnapshot(snapshotRow(order, 2, { manual: true }));
      const write = eventWrite(order, 1, { snapshot: { fromWrite: true } });
      await ctx.store.commit([write]);
      expect(await ctx.store.latestSnapshot(order)).toEqual(write.snapshot);
    });
  });
}
