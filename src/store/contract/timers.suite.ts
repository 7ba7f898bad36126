import { describe, expect, it } from 'vitest';
import type { Lease } from '../types.js';
import { at, auditOnly, createWrite, effect, eventWrite, key, timer } from './builders.js';
import type { ContractContext } from './context.js';

const lease = (owner: string, now: number, until: number, limit = 100): Lease => ({
  owner,
  now,
  until,
  limit,
});
const ids = (rows: readonly { machine: string; id: string; timerId: string }[]) =>
  rows.map((r) => `${r.machine}/${r.id}/${r.timerId}`);
const failure = (attempts: number, when: number) => ({
  attempts,
  lastError: `delivery ${attempts} failed`,
  at: when,
});

/** The timer scheduler's side of the store: due timers, leases, retries, dead letters. */
export function describeTimerContract(ctx: ContractContext): void {
  const order = key('order', 'o-1');
  const other = key('order', 'o-2');
  const invoice = key('invoice', 'i-1');

  /** Three instances' timers, due at 10 s, 20 s (three-way tie) and 30 s. */
  async function seed(): Promise<void> {
    await ctx.store.commit([
      createWrite(order, {
        timersSet: [timer(order, 'late', at(30)), timer(order, 'tie-b', at(20))],
      }),
      createWrite(other, {
        timersSet: [timer(other, 'tie-a', at(20)), timer(other, 'first', at(10))],
      }),
      createWrite(invoice, { timersSet: [timer(invoice, 'tie-z', at(20))] }),
    ]);
  }

  describe('timers: reading', () => {
    it('getTimer returns one timer with every field; undefined when there is none', async () => {
      const t = timer(order, 'reminder', at(10), { event: { type: 'Remind', n: 1 } });
      await ctx.store.commit([createWrite(order, { timersSet: [t] })]);
      expect(await ctx.store.getTimer(order, 'reminder')).toEqual(t);
      expect(await ctx.store.getTimer(order, 'unknown')).toBeUndefined();
      expect(await ctx.store.getTimer(other, 'reminder')).toBeUndefined();
    });

    it('nextTimerDue is the earliest due time of pending timers store-wide, undefined when none', async () => {
      expect(await ctx.store.nextTimerDue()).toBeUndefined();
      await seed();
      expect(await ctx.store.nextTimerDue()).toBe(at(10));
    });

    it('nextTimerDue(now) leaves out timers leased past now, and counts them again once the lease ends', async () => {
      await seed();
      await ctx.store.claimDueTimers(lease('a', at(20), at(25), 2)); // the one at 10 s and one at 20 s
      expect(await ctx.store.nextTimerDue()).toBe(at(10));
      expect(await ctx.store.nextTimerDue(at(21))).toBe(at(20)); // tie-b, not held
      expect(await ctx.store.nextTimerDue(at(25))).toBe(at(10));
    });

    it('nextTimerDue ignores dead timers', async () => {
      await seed();
      await ctx.store.deadLetterTimer(other, 'first', failure(5, 0));
      expect(await ctx.store.nextTimerDue()).toBe(at(20));
    });
  });

  describe('timers: claiming', () => {
    it('leases due timers earliest first, ties by machine, id and timer id, up to the limit', async () => {
      await seed();
      const claimed = await ctx.store.claimDueTimers(lease('a', at(25), at(85), 3));
      expect(ids(claimed)).toEqual(['order/o-2/first', 'invoice/i-1/tie-z', 'order/o-1/tie-b']);
      expect(claimed[0]).toEqual(timer(other, 'first', at(10)));
    });

    it('claims only timers due at or before now', async () => {
      await seed();
      expect(ids(await ctx.store.claimDueTimers(lease('a', at(10), at(70))))).toEqual([
        'order/o-2/first',
      ]);
      expect(await ctx.store.claimDueTimers(lease('b', at(9), at(70)))).toEqual([]);
    });

    it('does not return a leased timer to another owner while the lease holds', async () => {
      await seed();
      await ctx.store.claimDueTimers(lease('a', at(20), at(80), 2));
      const second = await ctx.store.claimDueTimers(lease('b', at(40), at(100)));
      expect(ids(second)).toEqual(['order/o-1/tie-b', 'order/o-2/tie-a', 'order/o-1/late']);
      expect(await ctx.store.claimDueTimers(lease('c', at(79), at(139)))).toEqual([]);
    });

    it('does not return a leased timer to its own owner either until the lease expires', async () => {
      await seed();
      expect(await ctx.store.claimDueTimers(lease('a', at(10), at(70)))).toHaveLength(1);
      expect(await ctx.store.claimDueTimers(lease('a', at(10), at(70)))).toEqual([]);
      expect(ids(await ctx.store.claimDueTimers(lease('a', at(70), at(130), 1)))).toEqual([
        'order/o-2/first',
      ]);
    });

    it('lets anyone claim a timer whose lease expired (until <= now), under a new lease', async () => {
      await seed();
      await ctx.store.claimDueTimers(lease('a', at(10), at(70)));
      expect(ids(await ctx.store.claimDueTimers(lease('b', at(70), at(71), 1)))).toEqual([
        'order/o-2/first',
      ]);
      // b's lease now holds until 71 s: a cannot take it back at 70.5 s, and gets the next one.
      expect(ids(await ctx.store.claimDueTimers(lease('a', at(70.5), at(200), 1)))).toEqual([
        'invoice/i-1/tie-z',
      ]);
    });

    it('leases nothing with limit 0', async () => {
      await seed();
      expect(await ctx.store.claimDueTimers(lease('a', at(99), at(100), 0))).toEqual([]);
      expect(await ctx.store.claimDueTimers(lease('b', at(99), at(100), 1))).toHaveLength(1);
    });

    it('rejects a malformed lease with VALIDATION_FAILED', async () => {
      await expect(ctx.store.claimDueTimers(lease('a', 0, 1, -1))).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      await expect(ctx.store.claimDueTimers(lease('', 0, 1))).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });

    it('forgets a claimed timer once the commit that fires it cancels it', async () => {
      await ctx.store.commit([createWrite(order, { timersSet: [timer(order, 'expire', at(10))] })]);
      await ctx.store.claimDueTimers(lease('a', at(10), at(70)));
      await ctx.store.commit([
        eventWrite(order, 1, { type: 'Expire', timersCancelled: ['expire'] }),
      ]);
      expect(await ctx.store.getTimer(order, 'expire')).toBeUndefined();
      expect(await ctx.store.nextTimerDue()).toBeUndefined();
      expect(await ctx.store.claimDueTimers(lease('b', at(99), at(100)))).toEqual([]);
    });
  });

  describe('timers: fired-timer guard', () => {
    const claimed = { timerId: 'expire', setBySeq: 1, dueAt: at(10) };

    it('applies a write whose fired timer is still pending as claimed, deleting the timer', async () => {
      await ctx.store.commit([createWrite(order, { timersSet: [timer(order, 'expire', at(10))] })]);
      const [outcome] = await ctx.store.commit([
        {
          ...eventWrite(order, 1, { type: 'Expire', timersCancelled: ['expire'] }),
          firedTimer: claimed,
        },
      ]);
      expect(outcome).toEqual({ ok: true });
      expect((await ctx.store.getInstance(order))?.seq).toBe(2);
      expect(await ctx.store.getTimer(order, 'expire')).toBeUndefined();
    });

    it('skips, writing nothing, a write whose timer was set again, cancelled or dead-lettered since', async () => {
      await ctx.store.commit([createWrite(order, { timersSet: [timer(order, 'expire', at(10))] })]);
      // Set again by a later event: same id, new set_by_seq and due time.
      await ctx.store.commit([
        eventWrite(order, 1, { timersSet: [timer(order, 'expire', at(50), { setBySeq: 2 })] }),
      ]);
      const stale = eventWrite(order, 2, { type: 'Expire', timersCancelled: ['expire'] });
      const [setAgain] = await ctx.store.commit([{ ...stale, firedTimer: claimed }]);
      expect(setAgain).toEqual({ ok: false, code: 'TIMER_GONE' });
      expect((await ctx.store.getInstance(order))?.seq).toBe(2);
      expect((await ctx.store.readEvents(order)).map((e) => e.seq)).toEqual([1, 2]);
      expect(await ctx.store.getTimer(order, 'expire')).toMatchObject({ setBySeq: 2 });
      const audits = (await ctx.store.readAudit(order)).length;

      const newer = { timerId: 'expire', setBySeq: 2, dueAt: at(50) };
      await ctx.store.deadLetterTimer(order, 'expire', failure(5, at(60)));
      const [dead] = await ctx.store.commit([{ ...stale, firedTimer: newer }]);
      expect(dead).toEqual({ ok: false, code: 'TIMER_GONE' });

      const [cancelled] = await ctx.store.commit([
        {
          ...eventWrite(order, 2, { type: 'Expire' }),
          firedTimer: { ...claimed, timerId: 'none' },
        },
      ]);
      expect(cancelled).toEqual({ ok: false, code: 'TIMER_GONE' });
      expect((await ctx.store.readAudit(order)).length).toBe(audits);
    });

    it('guards audit-only writes too, and the rest of the batch commits', async () => {
      await ctx.store.commit([
        createWrite(order, { timersSet: [timer(order, 'expire', at(10))] }),
        createWrite(other),
      ]);
      const before = (await ctx.store.readAudit(order)).length;
      const outcomes = await ctx.store.commit([
        {
          ...auditOnly(order, { outcome: 'discarded' }),
          timersCancelled: ['expire'],
          firedTimer: { ...claimed, dueAt: at(11) },
        },
        eventWrite(other, 1),
        {
          ...auditOnly(order, { outcome: 'discarded' }),
          timersCancelled: ['expire'],
          firedTimer: claimed,
        },
      ]);
      expect(outcomes).toEqual([{ ok: false, code: 'TIMER_GONE' }, { ok: true }, { ok: true }]);
      expect((await ctx.store.readAudit(order)).length).toBe(before + 1);
      expect(await ctx.store.getTimer(order, 'expire')).toBeUndefined();
      expect((await ctx.store.getInstance(other))?.seq).toBe(2);
    });
  });

  describe('timers: retries and dead letters', () => {
    it('retryTimer records the failure, moves dueAt and releases the lease', async () => {
      await seed();
      await ctx.store.claimDueTimers(lease('a', at(10), at(1000), 1));
      await ctx.store.retryTimer(other, 'first', failure(1, at(15)));
      expect(await ctx.store.getTimer(other, 'first')).toEqual(
        timer(other, 'first', at(15), { attempts: 1, lastError: 'delivery 1 failed' }),
      );
      expect(await ctx.store.claimDueTimers(lease('b', at(14), at(74)))).toEqual([]);
      // Released: b gets it long before a's lease (1000 s) would have run out.
      const again = await ctx.store.claimDueTimers(lease('b', at(15), at(75)));
      expect(again).toEqual([
        timer(other, 'first', at(15), { attempts: 1, lastError: 'delivery 1 failed' }),
      ]);
    });

    it('deadLetterTimer keeps the timer but never claims it again', async () => {
      await seed();
      await ctx.store.claimDueTimers(lease('a', at(10), at(70), 1));
      await ctx.store.deadLetterTimer(other, 'first', failure(5, at(999)));
      const dead = timer(other, 'first', at(10), {
        attempts: 5,
        lastError: 'delivery 5 failed',
        status: 'dead',
      });
      expect(await ctx.store.getTimer(other, 'first')).toEqual(dead);
      expect(await ctx.store.listDeadTimers()).toEqual([dead]);
      expect(ids(await ctx.store.claimDueTimers(lease('b', at(1000), at(1060))))).not.toContain(
        'order/o-2/first',
      );
      expect(ids(await ctx.store.listTimers(other))).toEqual(['order/o-2/tie-a']);
    });

    it('lists dead timers store-wide by machine, id and timer id, up to a limit', async () => {
      await seed();
      const kill = [
        [order, 'late'],
        [invoice, 'tie-z'],
        [other, 'tie-a'],
        [order, 'tie-b'],
      ] as const;
      for (const [k, timerId] of kill) await ctx.store.deadLetterTimer(k, timerId, failure(3, 0));
      expect(ids(await ctx.store.listDeadTimers())).toEqual([
        'invoice/i-1/tie-z',
        'order/o-1/late',
        'order/o-1/tie-b',
        'order/o-2/tie-a',
      ]);
      expect(ids(await ctx.store.listDeadTimers(2))).toEqual([
        'invoice/i-1/tie-z',
        'order/o-1/late',
      ]);
    });

    it('reviveTimer makes a dead timer pending again, due at the given time, attempts reset', async () => {
      await seed();
      await ctx.store.deadLetterTimer(other, 'first', failure(5, 0));
      expect(await ctx.store.reviveTimer(other, 'first', at(50))).toBe(true);
      expect(await ctx.store.getTimer(other, 'first')).toMatchObject({
        status: 'pending',
        attempts: 0,
        dueAt: at(50),
      });
      expect(await ctx.store.listDeadTimers()).toEqual([]);
      const claimed = await ctx.store.claimDueTimers(lease('a', at(50), at(110)));
      expect(ids(claimed)).toContain('order/o-2/first');
    });

    it('reviveTimer is false, and changes nothing, for a pending or unknown timer', async () => {
      await seed();
      expect(await ctx.store.reviveTimer(other, 'first', at(50))).toBe(false);
      expect(await ctx.store.reviveTimer(other, 'unknown', at(50))).toBe(false);
      expect(await ctx.store.getTimer(other, 'first')).toEqual(timer(other, 'first', at(10)));
      expect(await ctx.store.getTimer(other, 'unknown')).toBeUndefined();
    });

    it('ignores retries and dead letters of a timer that no longer exists', async () => {
      await ctx.store.commit([createWrite(order)]);
      await ctx.store.retryTimer(order, 'gone', failure(1, at(1)));
      await ctx.store.deadLetterTimer(order, 'gone', failure(2, at(1)));
      expect(await ctx.store.getTimer(order, 'gone')).toBeUndefined();
      expect(await ctx.store.listDeadTimers()).toEqual([]);
    });

    it('starts over when a commit sets a timer id again: pending, no attempts, no lease', async () => {
      await seed();
      await ctx.store.claimDueTimers(lease('a', at(30), at(1000)));
      await ctx.store.deadLetterTimer(order, 'late', failure(5, 0));
      await ctx.store.retryTimer(order, 'tie-b', failure(2, at(20)));
      await ctx.store.claimDueTimers(lease('a', at(30), at(1000)));
      const late = timer(order, 'late', at(40), { setBySeq: 2 });
      const tieB = timer(order, 'tie-b', at(40), { setBySeq: 2 });
      await ctx.store.commit([eventWrite(order, 1, { timersSet: [late, tieB] })]);

      expect(await ctx.store.getTimer(order, 'late')).toEqual(late);
      expect(await ctx.store.getTimer(order, 'tie-b')).toEqual(tieB);
      expect(await ctx.store.listDeadTimers()).toEqual([]);
      // Both leases of a went with the old timers.
      expect(ids(await ctx.store.claimDueTimers(lease('b', at(40), at(100))))).toEqual([
        'order/o-1/late',
        'order/o-1/tie-b',
      ]);
    });

    it('rejects a malformed attempt with VALIDATION_FAILED', async () => {
      await seed();
      await expect(
        ctx.store.retryTimer(order, 'late', { attempts: -1, lastError: 'x', at: 0 }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('timers: audit-only writes', () => {
    it('delete the audited instance’s timersCancelled with the audit row, and nothing else', async () => {
      await ctx.store.commit([
        createWrite(order, {
          timersSet: [timer(order, 'expire', at(10)), timer(order, 'keep', at(20))],
        }),
        createWrite(other, { timersSet: [timer(other, 'expire', at(10))] }),
      ]);
      const discarded = {
        ...auditOnly(order, { outcome: 'discarded', eventType: 'Expire', reason: 'state exited' }),
        timersCancelled: ['expire', 'never-set'],
      };
      expect(await ctx.store.commit([discarded])).toEqual([{ ok: true }]);
      expect(ids(await ctx.store.listTimers(order))).toEqual(['order/o-1/keep']);
      expect(ids(await ctx.store.listTimers(other))).toEqual(['order/o-2/expire']);
      expect(await ctx.store.readAudit(order)).toEqual([
        expect.objectContaining({ position: 1, outcome: 'applied' }),
        { ...discarded.audit, position: 2 },
      ]);
    });

    it('keep nothing of their cancels when the batch throws', async () => {
      const expire = timer(order, 'expire', at(10));
      await ctx.store.commit([createWrite(order, { timersSet: [expire] })]);
      const clash = effect(other, 1, 0);
      const batch = [
        { ...auditOnly(order), timersCancelled: ['expire'] },
        createWrite(other, { outbox: [clash] }),
        createWrite(key('order', 'o-3'), { outbox: [clash] }), // the same effect id twice
      ];
      await expect(ctx.store.commit(batch)).rejects.toMatchObject({ code: 'STORE_ERROR' });
      expect(await ctx.store.getTimer(order, 'expire')).toEqual(expire);
      expect(await ctx.store.readAudit(order)).toHaveLength(1);
    });
  });
}
