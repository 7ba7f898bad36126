import { pageBounds } from '../page.js';
import { checkAttempt, checkTime, leaseBounds, renewalBounds } from '../query.js';
import type { Attempt, Lease, OutboxQueue, OutboxRow } from '../types.js';
import { byInstanceSeqIndex, copy, free, type MemoryData } from './data.js';

/** Effects claimed under leases, retried, dead-lettered, as in the SQL adapters. */
export function memoryOutboxQueue(d: MemoryData): OutboxQueue {
  return {
    async getOutbox(effectId: string): Promise<OutboxRow | undefined> {
      d.assertOpen();
      return copy(d.outbox.get(effectId)?.row);
    },
    async nextOutboxDue(now?: number): Promise<number | undefined> {
      d.assertOpen();
      let next: number | undefined;
      for (const { row, lease } of d.outbox.values()) {
        if (now !== undefined && lease !== null && lease.until > now) continue;
        if (row.status !== 'dead' && (next === undefined || row.nextAttemptAt < next)) {
          next = row.nextAttemptAt;
        }
      }
      return next;
    },
    async claimOutbox(lease: Lease): Promise<OutboxRow[]> {
      d.assertOpen();
      const { owner, now, until, limit } = leaseBounds(lease);
      const due = [...d.outbox.values()]
        .filter(
          ({ row, lease: held }) =>
            row.status !== 'dead' && row.nextAttemptAt <= now && free(held, now),
        )
        .map((entry) => entry.row)
        .sort(byNextAttempt)
        .slice(0, limit);
      for (const row of due) d.outbox.set(row.effectId, { row, lease: { owner, until } });
      return due.map((row) => structuredClone(row));
    },
    async markOutboxStarted(effectId: string): Promise<void> {
      d.assertOpen();
      const entry = d.outbox.get(effectId);
      if (entry === undefined || entry.row.status === 'dead') return;
      d.outbox.set(effectId, { row: { ...entry.row, status: 'started' }, lease: entry.lease });
    },
    async renewOutboxLease(effectId: string, owner: string, until: number): Promise<boolean> {
      d.assertOpen();
      const renewal = renewalBounds(owner, until);
      const entry = d.outbox.get(effectId);
      if (
        entry === undefined ||
        entry.row.status === 'dead' ||
        entry.lease?.owner !== renewal.owner
      )
        return false;
      d.outbox.set(effectId, {
        row: entry.row,
        lease: { owner: renewal.owner, until: renewal.until },
      });
      return true;
    },
    async retryOutbox(effectId: string, attempt: Attempt): Promise<void> {
      d.assertOpen();
      const { attempts, lastError, at } = checkAttempt(attempt);
      d.updateOutbox(effectId, (row) => ({ ...row, attempts, lastError, nextAttemptAt: at }));
    },
    async deadLetterOutbox(effectId: string, attempt: Attempt): Promise<void> {
      d.assertOpen();
      const { attempts, lastError } = checkAttempt(attempt);
      d.updateOutbox(effectId, (row) => ({ ...row, attempts, lastError, status: 'dead' }));
    },
    async listDeadOutbox(limit?: number): Promise<OutboxRow[]> {
      d.assertOpen();
      const bounds = pageBounds(limit === undefined ? undefined : { limit });
      return [...d.outbox.values()]
        .map((entry) => entry.row)
        .filter((row) => row.status === 'dead')
        .sort(byInstanceSeqIndex)
        .slice(0, bounds.limit)
        .map((row) => structuredClone(row));
    },
    async reviveOutbox(effectId: string, at: number): Promise<boolean> {
      d.assertOpen();
      checkTime('at', at);
      if (d.outbox.get(effectId)?.row.status !== 'dead') return false;
      d.updateOutbox(effectId, (row) => ({
        ...row,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: at,
      }));
      return true;
    },
  };
}

function byNextAttempt(a: OutboxRow, b: OutboxRow): number {
  return a.nextAttemptAt - b.nextAttemptAt || byInstanceSeqIndex(a, b);
}
