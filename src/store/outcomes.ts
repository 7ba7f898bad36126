import type { WriteOutcome } from './types.js';

/** The per-write outcomes of `Store.commit`, shared by every adapter. */
export const outcomes = {
  ok: Object.freeze({ ok: true }) as WriteOutcome,
  instanceExists: Object.freeze({ ok: false, code: 'INSTANCE_EXISTS' }) as WriteOutcome,
  idempotencyMismatch: Object.freeze({ ok: false, code: 'IDEMPOTENCY_MISMATCH' }) as WriteOutcome,
  timerGone: Object.freeze({ ok: false, code: 'TIMER_GONE' }) as WriteOutcome,
  sequenceConflict: (actual: number): WriteOutcome =>
    Object.freeze({ ok: false, code: 'SEQUENCE_CONFLICT', actual }),
} as const;
