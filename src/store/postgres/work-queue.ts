import { pageBounds } from '../page.js';
import { checkAttempt, checkTime, leaseBounds, renewalBounds } from '../query.js';
import * as rows from '../sql/rows.js';
import type { Lease, Store } from '../types.js';
import type { Runner } from './runner.js';

type WorkQueue = Pick<
  Store,
  | 'getTimer'
  | 'nextTimerDue'
  | 'claimDueTimers'
  | 'retryTimer'
  | 'deadLetterTimer'
  | 'listDeadTimers'
  | 'reviveTimer'
  | 'getOutbox'
  | 'nextOutboxDue'
  | 'claimOutbox'
  | 'markOutboxStarted'
  | 'renewOutboxLease'
  | 'retryOutbox'
  | 'deadLetterOutbox'
  | 'listDeadOutbox'
  | 'reviveOutbox'
>;

/**
 * Timers and outbox rows: the work processes share. Claims lock due rows with
 * `FOR UPDATE SKIP LOCKED` and lease them in the same statement (statements.ts),
 * so each row goes to one process until its lease ends.
 */
export function workQueue(r: Runner): WorkQueue {
  const limitOf = (limit: number | undefined) =>
    r.check(() => pageBounds(limit === undefined ? undefined : { limit })).limit;
  const claim = (operation: string, name: 'claimTimers' | 'claimOutbox', lease: Lease) => {
    const { owner, now, until, limit } = r.check(() => leaseBounds(lease));
    return r.rows(operation, name, [now, owner, until, limit]);
  };
  const next = async (operation: string, all: 'nextTimerDue' | 'nextOutboxDue', now?: number) => {
    const [row] = await (now === undefined
      ? r.rows(operation, all, [])
      : r.rows(operation, all === 'nextTimerDue' ? 'nextFreeTimerDue' : 'nextFreeOutboxDue', [
          r.check(() => checkTime('now', now)),
        ]));
    return (row?.due as number | null | undefined) ?? undefined;
  };
  return {
    async getTimer(key, timerId) {
      const [row] = await r.rows('read a timer', 'getTimer', [key.machine, key.id, timerId]);
      return row && rows.toTimerRow(row as rows.TimerRecord);
    },
    nextTimerDue: (now) => next('find the next due timer', 'nextTimerDue', now),
    async claimDueTimers(lease) {
      const found = await claim('claim due timers', 'claimTimers', lease);
      return (found as rows.TimerRecord[]).map(rows.toTimerRow);
    },
    async retryTimer(key, timerId, attempt) {
      const { attempts, lastError, at } = r.check(() => checkAttempt(attempt));
      const values = [key.machine, key.id, timerId, attempts, lastError, at];
      await r.rows('retry a timer', 'retryTimer', values);
    },
    async deadLetterTimer(key, timerId, attempt) {
      const { attempts, lastError } = r.check(() => checkAttempt(attempt));
      const values = [key.machine, key.id, timerId, attempts, lastError];
      await r.rows('dead-letter a timer', 'deadLetterTimer', values);
    },
    async listDeadTimers(limit) {
      const found = await r.rows('list dead timers', 'listDeadTimers', [limitOf(limit)]);
      return (found as rows.TimerRecord[]).map(rows.toTimerRow);
    },
    async reviveTimer(key, timerId, dueAt) {
      r.check(() => checkTime('dueAt', dueAt));
      const values = [key.machine, key.id, timerId, dueAt];
      return (await r.count('revive a timer', 'reviveTimer', values)) > 0;
    },

    async getOutbox(effectId) {
      const [row] = await r.rows('read an outbox row', 'getOutbox', [effectId]);
      return row && rows.toOutboxRow(row as rows.OutboxRecord);
    },
    nextOutboxDue: (now) => next('find the next due outbox row', 'nextOutboxDue', now),
    async claimOutbox(lease) {
      const found = await claim('claim outbox rows', 'claimOutbox', lease);
      return (found as rows.OutboxRecord[]).map(rows.toOutboxRow);
    },
    async markOutboxStarted(effectId) {
      await r.rows('mark an outbox row started', 'markOutboxStarted', [effectId]);
    },
    async renewOutboxLease(effectId, owner, until) {
      const renewal = r.check(() => renewalBounds(owner, until));
      const values = [effectId, renewal.owner, renewal.until];
      return (await r.count('renew an outbox lease', 'renewOutboxLease', values)) > 0;
    },
    async retryOutbox(effectId, attempt) {
      const { attempts, lastError, at } = r.check(() => checkAttempt(attempt));
      await r.rows('retry an outbox row', 'retryOutbox', [effectId, attempts, lastError, at]);
    },
    async deadLetterOutbox(effectId, attempt) {
      const { attempts, lastError } = r.check(() => checkAttempt(attempt));
      const values = [effectId, attempts, lastError];
      await r.rows('dead-letter an outbox row', 'deadLetterOutbox', values);
    },
    async listDeadOutbox(limit) {
      const found = await r.rows('list dead outbox rows', 'listDeadOutbox', [limitOf(limit)]);
      return (found as rows.OutboxRecord[]).map(rows.toOutboxRow);
    },
    async reviveOutbox(effectId, at) {
      r.check(() => checkTime('at', at));
      return (await r.count('revive an outbox row', 'reviveOutbox', [effectId, at])) > 0;
    },
  };
}
