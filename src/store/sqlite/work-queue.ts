import { pageBounds } from '../page.js';
import { checkAttempt, checkTime, leaseBounds, renewalBounds } from '../query.js';
import { toOutboxRow, toTimerRow } from '../sql/rows.js';
import type {
  Attempt,
  InstanceKey,
  Lease,
  OutboxQueue,
  OutboxRow,
  TimerQueue,
  TimerRow,
} from '../types.js';
import type { SqliteRunner } from './runner.js';

/** Timers claimed under leases, retried, dead-lettered. */
export function sqliteTimerQueue(r: SqliteRunner): TimerQueue {
  return {
    async getTimer(key: InstanceKey, timerId: string): Promise<TimerRow | undefined> {
      const row = await r.read('read a timer', (s) => s.getTimer.get(key.machine, key.id, timerId));
      return row === undefined ? undefined : toTimerRow(row);
    },
    async nextTimerDue(now?: number): Promise<number | undefined> {
      const due = r.peek('find the next due timer', (s) =>
        now === undefined ? s.nextTimerDue.get() : s.nextFreeTimerDue.get(now),
      );
      return due ?? undefined;
    },
    async claimDueTimers(lease: Lease): Promise<TimerRow[]> {
      const { claimTimers } = r.use();
      const rows = r.peek('claim due timers', () => claimTimers(leaseBounds(lease)));
      return rows.map(toTimerRow);
    },
    async retryTimer(key: InstanceKey, timerId: string, attempt: Attempt): Promise<void> {
      await r.write('retry a timer', (s) => {
        const { attempts, lastError, at } = checkAttempt(attempt);
        s.retryTimer.run(attempts, lastError, at, key.machine, key.id, timerId);
      });
    },
    async deadLetterTimer(key: InstanceKey, timerId: string, attempt: Attempt): Promise<void> {
      await r.write('dead-letter a timer', (s) => {
        const { attempts, lastError } = checkAttempt(attempt);
        s.deadLetterTimer.run(attempts, lastError, key.machine, key.id, timerId);
      });
    },
    async listDeadTimers(limit?: number): Promise<TimerRow[]> {
      const rows = await r.read('list dead timers', (s) =>
        s.listDeadTimers.all(pageBounds(limit === undefined ? undefined : { limit }).limit),
      );
      return rows.map(toTimerRow);
    },
    async reviveTimer(key: InstanceKey, timerId: string, dueAt: number): Promise<boolean> {
      const { changes } = await r.write('revive a timer', (s) =>
        s.reviveTimer.run(checkTime('dueAt', dueAt), key.machine, key.id, timerId),
      );
      return changes > 0;
    },
  };
}

/** Effects claimed under leases, retried, dead-lettered. */
export function sqliteOutboxQueue(r: SqliteRunner): OutboxQueue {
  return {
    async getOutbox(effectId: string): Promise<OutboxRow | undefined> {
      const row = await r.read('read an outbox row', (s) => s.getOutbox.get(effectId));
      return row === undefined ? undefined : toOutboxRow(row);
    },
    async nextOutboxDue(now?: number): Promise<number | undefined> {
      const due = r.peek('find the next due outbox row', (s) =>
        now === undefined ? s.nextOutboxDue.get() : s.nextFreeOutboxDue.get(now),
      );
      return due ?? undefined;
    },
    async claimOutbox(lease: Lease): Promise<OutboxRow[]> {
      const { claimOutbox } = r.use();
      const rows = await r.read('claim outbox rows', () => claimOutbox(leaseBounds(lease)));
      return rows.map(toOutboxRow);
    },
    async markOutboxStarted(effectId: string): Promise<void> {
      await r.write('mark an outbox row started', (s) => s.markOutboxStarted.run(effectId));
    },
    async renewOutboxLease(effectId: string, owner: string, until: number): Promise<boolean> {
      const { changes } = r.peek('renew an outbox lease', (s) => {
        const renewal = renewalBounds(owner, until);
        return s.renewOutboxLease.run(renewal.until, effectId, renewal.owner);
      });
      return changes > 0;
    },
    async retryOutbox(effectId: string, attempt: Attempt): Promise<void> {
      await r.write('retry an outbox row', (s) => {
        const { attempts, lastError, at } = checkAttempt(attempt);
        s.retryOutbox.run(attempts, lastError, at, effectId);
      });
    },
    async deadLetterOutbox(effectId: string, attempt: Attempt): Promise<void> {
      await r.write('dead-letter an outbox row', (s) => {
        const { attempts, lastError } = checkAttempt(attempt);
        s.deadLetterOutbox.run(attempts, lastError, effectId);
      });
    },
    async listDeadOutbox(limit?: number): Promise<OutboxRow[]> {
      const rows = await r.read('list dead outbox rows', (s) =>
        s.listDeadOutbox.all(pageBounds(limit === undefined ? undefined : { limit }).limit),
      );
      return rows.map(toOutboxRow);
    },
    async reviveOutbox(effectId: string, at: number): Promise<boolean> {
      const { changes } = await r.write('revive an outbox row', (s) =>
        s.reviveOutbox.run(checkTime('at', at), effectId),
      );
      return changes > 0;
    },
  };
}
