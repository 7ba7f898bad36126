import type { InstanceRow, OutboxRow, TimerRow } from './types.js';

/**
 * The documented defaults of optional row fields, applied on write so every
 * row read back carries them: timers `attempts` 0, `status` pending, `lastError`
 * null; outbox rows `status` pending, `lastError` null; instances `parent` null.
 */

export type StoredTimer = TimerRow & Required<Pick<TimerRow, 'attempts' | 'status' | 'lastError'>>;
export type StoredOutbox = OutboxRow & Required<Pick<OutboxRow, 'status' | 'lastError'>>;

export function timerWithDefaults(row: TimerRow): StoredTimer {
  return {
    ...row,
    attempts: row.attempts ?? 0,
    status: row.status ?? 'pending',
    lastError: row.lastError ?? null,
  };
}

export function outboxWithDefaults(row: OutboxRow): StoredOutbox {
  return { ...row, status: row.status ?? 'pending', lastError: row.lastError ?? null };
}

/**
 * The instance row to store. `parent` absent means "as before": null for a new
 * instance, the stored link for an existing one (runtimes that do not track the
 * link cannot erase it by omission). An explicit null clears it.
 */
export function instanceWithParent(
  row: InstanceRow,
  previous: InstanceRow | undefined,
): InstanceRow {
  return { ...row, parent: row.parent !== undefined ? row.parent : (previous?.parent ?? null) };
}
