/** Column lists of the tables both SQL adapters share (same names, same order, as rows.ts maps them). */

export const INSTANCE_COLUMNS =
  'machine, id, version, value, context, status, seq, state_entered_at, created_at, updated_at, parent';
export const TIMER_COLUMNS =
  'machine, id, timer_id, due_at, event, target, set_by_seq, attempts, status, last_error';
export const OUTBOX_COLUMNS =
  'effect_id, machine, id, seq, idx, effect, attempts, next_attempt_at, created_at, status, last_error';

/** The columns of a stored machine version, in row order. */
export const MACHINE_VERSION_COLUMNS = 'machine, version, fingerprint, description, registered_at';
