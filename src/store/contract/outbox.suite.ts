import { describe, expect, it } from 'vitest';
import type { Lease, OutboxRow } from '../types.js';
import { at, createWrite, effect, eventWrite, key } from './builders.js';
import type { ContractContext } from './context.js';

const lease = (owner: string, now: number, until: number, limit = 100): Lease => ({
  owner,
  now,
  until,
  limit,
});
const ids = (rows: readonly OutboxRow[]) => rows.map((r) => r.effectId);
const failure = (attempts: number, when: number) => ({
  attempts,
  lastError: `attempt ${attempts} failed`,
  at: when,
});

/** The outbox dispatcher's side of the store: due effects, leases, retries, dead letters. */
export function describeOutboxContract(ctx: ContractContext): void {
  const order = key('order', 'o-1');
  const other = key('order', 'o-2');
  const invoice = key('invoice', 'i-1');

  const due = (row: OutboxRow, seconds: number): OutboxRow => ({
    ...row,
    nextAttemptAt: at(seconds),
  });

  /** Effects due at 10 s, 20 s (a tie across instances, seqs and indexes) and 30 s. */
  async function seed(): Promise<void> {
    await ctx.store.commit([
      createWrite(order, { outbox: [due(effect(order, 1, 1), 20), due(effect(order, 1, 0), 20)] }),
      createWrite(other, { outbox: [due(effect(other, 1, 0), 10), due(effect(other, 1, 1), 30)] }),
      createWrite(invoice, { outbox: [due(effect(invoice, 1, 0), 20)] }),
    ]);
    await ctx.store.commit([eventWrite(order, 1, { outbox: [due(effect(order, 2, 0), 20)] })]);
  }

  describe('outbox: reading', () => {
    it('getOutbox returns a row by effect id; undefined when there is none', async () => {
      const row = effect(order, 1, 0, {
        kind: 'activity.start',
        activityId: 'a',
        src: 'charge',
        input: { total: 40 },
      });
      await ctx.store.commit([createWrite(order, { outbox: [row] })]);
      expect(await ctx.store.getOutbox(row.effectId)).toEqual(row);
      expect(await ctx.store.getOutbox('order/o-1/1/9')).toBeUndefined();
    });

    it('nextOutboxDue is the earliest next attempt of pending or started rows, undefined when none', async () => {
      expect(await ctx.store.nextOutboxDue()).toBeUndefined();
      await seed();
      expect(await ctx.store.nextOutboxDue()).toBe(at(10));
      await ctx.store.markOutboxStarted('order/o-2/1/0');
      expect(await ctx.store.nextOutboxDue()).toBe(at(10));
    });

    it('nextOutboxDue ignores dead rows', async () => {
      await seed();
      await ctx.store.deadLetterOutbox('order/o-2/1/0', failure(5, 0));
      expect(await ctx.store.nextOutboxDue()).toBe(at(20));
    });
  });

  describe('outbox: claiming', () => {
    it('leases due rows in (nextAttemptAt, machine, id, seq, index) order, up to the limit', async () => {
      await seed();
      const claimed = await ctx.store.claimOutbox(lease('a', at(25), at(85), 4));
      expect(ids(claimed)).toEqual([
        'order/o-2/1/0',
        'invoice/i-1/1/0',
        'order/o-1/1/0',
        'order/o-1/1/1',
      ]);
      expect(claimed[0]).toEqual(due(effect(other, 1, 0), 10));
    });

    it('claims only rows due at or before now', async () => {
      await seed();
      expect(ids(await ctx.store.claimOutbox(lease('a', at(10), at(70))))).toEqual([
        'order/o-2/1/0',
      ]);
      expect(await ctx.store.claimOutbox(lease('b', at(9), at(70)))).toEqual([]);
    });

    it('does not return a leased row to any owner, its own included, until the lease expires', async () => {
      await seed();
      await ctx.store.claimOutbox(lease('a', at(20), at(80), 2));
      expect(ids(await ctx.store.claimOutbox(lease('b', at(40), at(100))))).toEqual([
        'order/o-1/1/0',
        'order/o-1/1/1',
        'order/o-1/2/0',
        'order/o-2/1/1',
      ]);
      expect(await ctx.store.claimOutbox(lease('a', at(79), at(139)))).toEqual([]);
      expect(ids(await ctx.store.claimOutbox(lease('a', at(80), at(140))))).toEqual([
        'order/o-2/1/0',
        'invoice/i-1/1/0',
      ]);
    });

    it('renewOutboxLease extends the lease of its holder: nobody claims the row until the new end', async () => {
      await seed();
      await ctx.store.claimOutbox(lease('a', at(10), at(40), 1)); // order/o-2/1/0
      expect(await ctx.store.renewOutboxLease('order/o-2/1/0', 'a', at(90))).toBe(true);
      expect(ids(await ctx.store.claimOutbox(lease('b', at(60), at(120))))).not.toContain(
        'order/o-2/1/0',
      );
      expect(await ctx.store.nextOutboxDue(at(60))).toBeUndefined();
      expect(ids(await ctx.store.claimOutbox(lease('b', at(90), at(150))))).toEqual([
        'order/o-2/1/0',
      ]);
    });

    it('renewOutboxLease is false, and changes nothing, for another owner, a gone or a dead row', async () => {
      await seed();
      await ctx.store.claimOutbox(lease('a', at(10), at(40), 1));
      expect(await ctx.store.renewOutboxLease('order/o-2/1/0', 'b', at(90))).toBe(false);
      // The lease of a expired and b claimed the row: a renewal by a must not take it back.
      await ctx.store.claimOutbox(lease('b', at(40), at(100), 1));
      expect(await ctx.store.renewOutboxLease('order/o-2/1/0', 'a', at(200))).toBe(false);
      expect(ids(await ctx.store.claimOutbox(lease('c', at(99), at(150))))).not.toContain(
        'order/o-2/1/0',
      );
      expect(await ctx.store.renewOutboxLease('never/was/1/0', 'a', at(90))).toBe(false);
      await ctx.store.deadLetterOutbox('order/o-2/1/0', failure(3, at(50)));
      expect(await ctx.store.renewOutboxLease('order/o-2/1/0', 'b', at(300))).toBe(false);
      await expect(ctx.store.renewOutboxLease('order/o-2/1/0', '', at(1))).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });

    it('rejects a malformed lease with VALIDATION_FAILED', async () => {
      await expect(ctx.store.claimOutbox(lease('a', 0, 1, 1.5))).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    });
  });

  describe('outbox: completion, started activities, retries and dead letters', () => {
    it('an outbox-done write removes the row, and is harmless to repeat or for an unknown id', async () => {
      await seed();
      await ctx.store.claimOutbox(lease('a', at(10), at(70)));
      const done = (effectId: string) => ({ kind: 'outbox-done', effectIds: [effectId] }) as const;
      await ctx.store.commit([done('order/o-2/1/0')]);
      await ctx.store.commit([done('order/o-2/1/0'), done('never/was/1/0')]);
      expect(await ctx.store.getOutbox('order/o-2/1/0')).toBeUndefined();
      expect(ids(await ctx.store.listOutbox(other))).toEqual(['order/o-2/1/1']);
      expect(await ctx.store.claimOutbox(lease('b', at(1000), at(1060)))).toHaveLength(5);
    });

    it('markOutboxStarted records that an activity began; the row stays claimable after its lease, as started', async () => {
      await seed();
      const [first] = await ctx.store.claimOutbox(lease('a', at(10), at(70), 1));
      await ctx.store.markOutboxStarted(first!.effectId);
      const started = { ...due(effect(other, 1, 0), 10), status: 'started' as const };
      expect(await ctx.store.getOutbox(first!.effectId)).toEqual(started);
      // The lease still holds: marking does not release it.
      expect(await ctx.store.claimOutbox(lease('b', at(10), at(70)))).toEqual([]);
      // a crashed; after its lease b finds the row and sees it was started.
      expect(await ctx.store.claimOutbox(lease('b', at(70), at(130), 1))).toEqual([started]);
    });

    it('retryOutbox records the failure, moves the next attempt and releases the lease', async () => {
      await seed();
      await ctx.store.claimOutbox(lease('a', at(10), at(1000), 1));
      await ctx.store.retryOutbox('order/o-2/1/0', failure(1, at(12)));
      const retried = {
        ...due(effect(other, 1, 0), 12),
        attempts: 1,
        lastError: 'attempt 1 failed',
      };
      expect(await ctx.store.getOutbox('order/o-2/1/0')).toEqual(retried);
      expect(await ctx.store.claimOutbox(lease('b', at(11), at(71)))).toEqual([]);
      expect(await ctx.store.claimOutbox(lease('b', at(12), at(72)))).toEqual([retried]);
    });

    it('retryOutbox keeps a started row started', async () => {
      await seed();
      await ctx.store.markOutboxStarted('order/o-2/1/0');
      await ctx.store.retryOutbox('order/o-2/1/0', failure(1, at(12)));
      expect(await ctx.store.getOutbox('order/o-2/1/0')).toMatchObject({
        status: 'started',
        attempts: 1,
      });
    });

    it('deadLetterOutbox keeps the row, listed, but never claims it again', async () => {
      await seed();
      await ctx.store.claimOutbox(lease('a', at(10), at(70), 1));
      await ctx.store.deadLetterOutbox('order/o-2/1/0', failure(7, at(999)));
      const dead = {
        ...due(effect(other, 1, 0), 10),
        attempts: 7,
        lastError: 'attempt 7 failed',
        status: 'dead' as const,
      };
      expect(await ctx.store.getOutbox('order/o-2/1/0')).toEqual(dead);
      expect(await ctx.store.listOutbox(other)).toEqual([dead, due(effect(other, 1, 1), 30)]);
      expect(await ctx.store.listDeadOutbox()).toEqual([dead]);
      expect(ids(await ctx.store.claimOutbox(lease('b', at(1000), at(1060))))).not.toContain(
        'order/o-2/1/0',
      );
    });

    it('lists dead rows store-wide in (machine, id, seq, index) order, up to a limit', async () => {
      await seed();
      for (const id of ['order/o-2/1/1', 'order/o-1/2/0', 'invoice/i-1/1/0', 'order/o-1/1/1']) {
        await ctx.store.deadLetterOutbox(id, failure(3, 0));
      }
      expect(ids(await ctx.store.listDeadOutbox())).toEqual([
        'invoice/i-1/1/0',
        'order/o-1/1/1',
        'order/o-1/2/0',
        'order/o-2/1/1',
      ]);
      expect(ids(await ctx.store.listDeadOutbox(1))).toEqual(['invoice/i-1/1/0']);
    });

    it('reviveOutbox makes a dead row pending again, due at the given time, attempts reset', async () => {
      await seed();
      await ctx.store.markOutboxStarted('order/o-2/1/0');
      await ctx.store.deadLetterOutbox('order/o-2/1/0', failure(7, 0));
      expect(await ctx.store.reviveOutbox('order/o-2/1/0', at(500))).toBe(true);
      expect(await ctx.store.getOutbox('order/o-2/1/0')).toMatchObject({
        status: 'pending',
        attempts: 0,
        nextAttemptAt: at(500),
      });
      expect(await ctx.store.listDeadOutbox()).toEqual([]);
      expect(await ctx.store.nextOutboxDue()).toBe(at(20));
      expect(ids(await ctx.store.claimOutbox(lease('a', at(500), at(560))))).toContain(
        'order/o-2/1/0',
      );
    });

    it('reviveOutbox is false for a row that is not dead or does not exist', async () => {
      await seed();
      expect(await ctx.store.reviveOutbox('order/o-2/1/0', at(500))).toBe(false);
      expect(await ctx.store.reviveOutbox('never/was/1/0', at(500))).toBe(false);
      expect(await ctx.store.getOutbox('order/o-2/1/0')).toEqual(due(effect(other, 1, 0), 10));
    });

    it('ignores retries, dead letters and starts of a row that is gone', async () => {
      await ctx.store.retryOutbox('gone/x/1/0', failure(1, 0));
      await ctx.store.deadLetterOutbox('gone/x/1/0', failure(1, 0));
      await ctx.store.markOutboxStarted('gone/x/1/0');
      expect(await ctx.store.getOutbox('gone/x/1/0')).toBeUndefined();
      expect(await ctx.store.listDeadOutbox()).toEqual([]);
    });
  });

  describe('outbox: rows leased at write time and batched completion', () => {
    it('rows written with outboxLease are held by that owner until the lease ends', async () => {
      const row = due(effect(order, 1, 0), 10);
      await ctx.store.commit([
        {
          ...createWrite(order, { outbox: [row] }),
          outboxLease: { owner: 'writer', until: at(60) },
        },
      ]);
      expect(await ctx.store.claimOutbox(lease('other', at(30), at(90)))).toEqual([]);
      expect(ids(await ctx.store.claimOutbox(lease('other', at(60), at(90))))).toEqual([
        row.effectId,
      ]);
    });

    it('an outbox-done write deletes finished rows in the batch transaction and ignores missing ones', async () => {
      await seed();
      const outcomes = await ctx.store.commit([
        { kind: 'outbox-done', effectIds: ['order/o-1/1/0', 'order/o-2/1/1', 'no/such/1/0'] },
        eventWrite(order, 2, { outbox: [due(effect(order, 3, 0), 40)] }),
      ]);
      expect(outcomes).toEqual([{ ok: true }, { ok: true }]);
      expect(await ctx.store.getOutbox('order/o-1/1/0')).toBeUndefined();
      expect(await ctx.store.getOutbox('order/o-2/1/1')).toBeUndefined();
      expect(await ctx.store.getOutbox('order/o-1/3/0')).toBeDefined();
      expect(ids(await ctx.store.listOutbox(order))).toEqual([
        'order/o-1/1/1',
        'order/o-1/2/0',
        'order/o-1/3/0',
      ]);
    });
  });
}
