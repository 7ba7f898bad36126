import { pageBounds } from '../page.js';
import { checkAttempt, checkTime, leaseBounds } from '../query.js';
import type { Attempt, InstanceKey, Lease, TimerQueue, TimerRow } from '../types.js';
import { byTimerKey, copy, free, type MemoryData } from './data.js';

/** Timers claimed under leases, retried, dead-lettered, as in the SQL adapters. */
export function memoryTimerQueue(d: MemoryData): TimerQueue {
  return {
    async getTimer(key: InstanceKey, timerId: string): Promise<TimerRow | undefined> {
      d.assertOpen();
      return copy(d.peek(key)?.timers.get(timerId)?.row);
    },
    async nextTimerDue(now?: number): Promise<number | undefined> {
      d.assertOpen();
      let next: number | undefined;
      for (const { row, lease } of d.timerEntries()) {
        if (now !== undefined && lease !== null && lease.until > now) continue;
        if (row.status === 'pending' && (next === undefined || row.dueAt < next)) next = row.dueAt;
      }
      return next;
    },
    async claimDueTimers(lease: Lease): Promise<TimerRow[]> {
      d.assertOpen();
      const { owner, now, until, limit } = leaseBounds(lease);
      const due = [...d.timerEntries()]
        .filter(
          ({ row, lease: held }) => row.status === 'pending' && row.dueAt <= now && free(held, now),
        )
        .map((entry) => entry.row)
        .sort(byDueTimeStoreWide)
        .slice(0, limit);
      for (const row of due) {
        d.peek(row)?.timers.set(row.timerId, { row, lease: { owner, until } });
      }
      return due.map((row) => structuredClone(row));
    },
    async retryTimer(key: InstanceKey, timerId: string, attempt: Attempt): Promise<void> {
      d.assertOpen();
      const { attempts, lastError, at } = checkAttempt(attempt);
      d.updateTimer(key, timerId, (row) => ({ ...row, attempts, lastError, dueAt: at }));
    },
    async deadLetterTimer(key: InstanceKey, timerId: string, attempt: Attempt): Promise<void> {
      d.assertOpen();
      const { attempts, lastError } = checkAttempt(attempt);
      d.updateTimer(key, timerId, (row) => ({ ...row, attempts, lastError, status: 'dead' }));
    },
    async listDeadTimers(limit?: number): Promise<TimerRow[]> {
      d.assertOpen();
      const bounds = pageBounds(limit === undefined ? undefined : { limit });
      return [...d.timerEntries()]
        .map((entry) => entry.row)
        .filter((row) => row.status === 'dead')
        .sort(byTimerKey)
        .slice(0, bounds.limit)
        .map((row) => structuredClone(row));
    },
    async reviveTimer(key: InstanceKey, timerId: string, dueAt: number): Promise<boolean> {
      d.assertOpen();
      checkTime('dueAt', dueAt);
      if (d.peek(key)?.timers.get(timerId)?.row.status !== 'dead') return false;
      d.updateTimer(key, timerId, (row) => ({ ...row, status: 'pending', attempts: 0, dueAt }));
      return true;
    },
  };
}

function byDueTimeStoreWide(a: TimerRow, b: TimerRow): number {
  return a.dueAt - b.dueAt || byTimerKey(a, b);
}
