import type { ProblemCode } from './http-errors.js';

/**
 * The HTTP status of every error code: the one place codes become statuses.
 * All VALIDATION_FAILED answers (request shape and declared payload schemas
 * alike) are 400, and so is EVENT_UNKNOWN (an event type the machine handles
 * nowhere: wrong whatever the state); EVENT_NOT_ACCEPTED is 409 (wrong for the
 * current state); 422 is kept for a step that threw (guard or assign).
 */
export const HTTP_STATUS: Readonly<Record<ProblemCode, number>> = {
  VALIDATION_FAILED: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  MACHINE_NOT_FOUND: 404,
  MACHINE_VERSION_NOT_FOUND: 404,
  INSTANCE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  EVENT_NOT_ACCEPTED: 409,
  EVENT_UNKNOWN: 400,
  INSTANCE_EXISTS: 409,
  INSTANCE_DONE: 409,
  SEQUENCE_CONFLICT: 409,
  IDEMPOTENCY_MISMATCH: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  REQUEST_TIMEOUT: 408,
  RATE_LIMITED: 429,
  STEP_FAILED: 422,
  STORE_ERROR: 500,
  REPLAY_DIVERGED: 500,
  VERSION_CHANGED: 500,
  VERSION_IN_USE: 500,
  MIGRATION_NOT_POSSIBLE: 409,
  DEAD_LETTER_NOT_FOUND: 404,
  EFFECT_NOT_FOUND: 404,
  EFFECT_NOT_WAITING: 409,
  NON_DURABLE_MACHINE: 500,
  CONFIG_INVALID: 500,
  INTERNAL_ERROR: 500,
  ENGINE_CLOSED: 503,
  COMMIT_OUTCOME_UNKNOWN: 503,
};

/** Short human titles for problem documents. */
export function titleOf(code: ProblemCode): string {
  const words = code.toLowerCase().split('_');
  return words.map((w, i) => (i === 0 ? w[0]?.toUpperCase() + w.slice(1) : w)).join(' ');
}
