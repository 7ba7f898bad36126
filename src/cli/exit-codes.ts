import { isStatorError } from '../core/errors.js';
import { PROBLEM_CODES, type ProblemCode } from '../server/http-errors.js';

/** Failures that only the CLI knows: bad arguments, and a server it cannot reach. */
export type CliCode = ProblemCode | 'USAGE' | 'UNREACHABLE';

/**
 * Process exit codes, mapped from error codes once. Scripts can branch on the
 * class of failure: 2 fix the command, 3 not there, 4 rejected by the
 * instance's state, 5/6 authentication/authorization, 7 a guard or assign
 * threw, 8 try again later, 1 anything else.
 */
export const EXIT_CODES: Readonly<Record<CliCode, number>> = {
  USAGE: 2,
  VALIDATION_FAILED: 2,
  EVENT_UNKNOWN: 2,
  CONFIG_INVALID: 2,
  PAYLOAD_TOO_LARGE: 2,
  UNSUPPORTED_MEDIA_TYPE: 2,
  METHOD_NOT_ALLOWED: 2,
  NOT_FOUND: 3,
  MACHINE_NOT_FOUND: 3,
  MACHINE_VERSION_NOT_FOUND: 3,
  INSTANCE_NOT_FOUND: 3,
  EVENT_NOT_ACCEPTED: 4,
  INSTANCE_EXISTS: 4,
  INSTANCE_DONE: 4,
  SEQUENCE_CONFLICT: 4,
  IDEMPOTENCY_MISMATCH: 4,
  UNAUTHORIZED: 5,
  FORBIDDEN: 6,
  STEP_FAILED: 7,
  ENGINE_CLOSED: 8,
  COMMIT_OUTCOME_UNKNOWN: 8,
  RATE_LIMITED: 8,
  REQUEST_TIMEOUT: 8,
  UNREACHABLE: 8,
  STORE_ERROR: 1,
  REPLAY_DIVERGED: 1,
  VERSION_CHANGED: 2,
  VERSION_IN_USE: 2,
  MIGRATION_NOT_POSSIBLE: 4,
  DEAD_LETTER_NOT_FOUND: 3,
  EFFECT_NOT_FOUND: 3,
  EFFECT_NOT_WAITING: 4,
  NON_DURABLE_MACHINE: 1,
  INTERNAL_ERROR: 1,
};

/** An error the CLI reports: a stable code and a message that says what to do. */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliCode;
  readonly details: Readonly<Record<string, unknown>>;
  constructor(code: CliCode, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

/** The code of any error: StatorError and CliError keep theirs; anything else is INTERNAL_ERROR. */
export function codeOf(error: unknown): CliCode {
  if (error instanceof CliError) return error.code;
  if (isStatorError(error, PROBLEM_CODES)) return error.code;
  return 'INTERNAL_ERROR';
}

export const exitCodeOf = (error: unknown): number => EXIT_CODES[codeOf(error)];
