/**
 * Stator's error model: one base class with a stable string `code`, subclasses only
 * where they carry fields. Codes are mapped once at each edge (HTTP status in
 * `server`, exit code in `cli`); messages say what was wrong and what to do.
 */

export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MACHINE_NOT_FOUND',
  'MACHINE_VERSION_NOT_FOUND',
  'NON_DURABLE_MACHINE',
  'INSTANCE_NOT_FOUND',
  'INSTANCE_EXISTS',
  'INSTANCE_DONE',
  'EVENT_NOT_ACCEPTED',
  // An event type no state of the machine handles (a typo, or an event of another machine).
  'EVENT_UNKNOWN',
  'SEQUENCE_CONFLICT',
  'IDEMPOTENCY_MISMATCH',
  'STEP_FAILED',
  'REPLAY_DIVERGED',
  // Machine versions: a registered definition that changed, a retired version still in use,
  // an instance that cannot move to the version asked for.
  'VERSION_CHANGED',
  'VERSION_IN_USE',
  'MIGRATION_NOT_POSSIBLE',
  // Operator actions: a dead letter or pending effect that is not there, or not in a state to retry.
  'DEAD_LETTER_NOT_FOUND',
  'EFFECT_NOT_FOUND',
  'EFFECT_NOT_WAITING',
  'ENGINE_CLOSED',
  'STORE_ERROR',
  // A commit was sent but its outcome could not be learned (connection lost, failed flush).
  'COMMIT_OUTCOME_UNKNOWN',
  'UNAUTHORIZED',
  'FORBIDDEN',
  // Misconfiguration found at start (bad --db, unloadable module, unsafe bind).
  'CONFIG_INVALID',
  // A failure nobody anticipated: a bug; the message never leaks internals.
  'INTERNAL_ERROR',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Base class of every error Stator throws on purpose. Match on `code`, not on
 * the class. The engine's codes are `ErrorCode`; the HTTP edge adds its own
 * (`stator/server`'s `HttpErrorCode`), so `C` widens there.
 */
export class StatorError<C extends string = ErrorCode> extends Error {
  override readonly name: string = 'StatorError';
  readonly code: C;
  /** Structured facts about the failure (machine, instance, state, …); JSON-safe. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: C,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
    this.details = details;
  }

  toJSON(): { code: C; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** The store's expected-sequence check failed: someone else appended first. */
export class SequenceConflictError extends StatorError {
  override readonly name = 'SequenceConflictError';
  readonly expected: number;
  readonly actual: number;

  constructor(machine: string, id: string, expected: number, actual: number) {
    super(
      'SEQUENCE_CONFLICT',
      `Instance ${machine}/${id} moved on: expected sequence ${expected} but the store has ${actual}. Reload the instance and retry the event.`,
      { machine, id, expected, actual },
    );
    this.expected = expected;
    this.actual = actual;
  }
}

/**
 * True for any StatorError with one of `codes` (default: the engine's), across
 * realms and bundled copies (checks the shape, not the prototype).
 */
export function isStatorError<C extends string = ErrorCode>(
  value: unknown,
  codes: readonly C[] = ERROR_CODES as unknown as readonly C[],
): value is StatorError<C> {
  return (
    value instanceof Error &&
    typeof (value as unknown as { code?: unknown }).code === 'string' &&
    (codes as readonly string[]).includes((value as unknown as { code: string }).code)
  );
}

export const errors = {
  machineNotFound: (machine: string, known: readonly string[]) =>
    new StatorError(
      'MACHINE_NOT_FOUND',
      `No machine named "${machine}" is registered. Registered machines: ${known.length ? known.join(', ') : '(none)'}.`,
      { machine },
    ),
  versionNotFound: (machine: string, version: string, known: readonly string[]) =>
    new StatorError(
      'MACHINE_VERSION_NOT_FOUND',
      `Machine "${machine}" version "${version}" is not registered (registered: ${known.join(', ')}). Keep registering every version that still has live instances, or migrate them.`,
      { machine, version },
    ),
  instanceNotFound: (machine: string, id: string) =>
    new StatorError(
      'INSTANCE_NOT_FOUND',
      `No instance "${id}" of machine "${machine}". Create it first with create("${machine}", "${id}").`,
      { machine, id },
    ),
  instanceExists: (machine: string, id: string) =>
    new StatorError(
      'INSTANCE_EXISTS',
      `Instance "${id}" of machine "${machine}" already exists. Use another id, or repeat the create with the same input and idempotency key to get the original result.`,
      { machine, id },
    ),
  instanceDone: (machine: string, id: string, status: string) =>
    new StatorError(
      'INSTANCE_DONE',
      `Instance ${machine}/${id} is ${status} and accepts no more events.`,
      { machine, id, status },
    ),
  eventNotAccepted: (
    machine: string,
    id: string,
    state: string,
    eventType: string,
    /** The states that take the event, when known. */
    acceptedIn?: readonly string[],
  ) =>
    new StatorError(
      'EVENT_NOT_ACCEPTED',
      `Instance ${machine}/${id} in state ${state} does not accept event "${eventType}" now. ${acceptedIn === undefined ? 'Send' : acceptedIn.length > 0 ? `It is accepted in state${acceptedIn.length > 1 ? 's' : ''} ${acceptedIn.join(', ')} (when its guard passes); send it when the instance is there, or send` : 'No state accepts it; send'} an event the current state handles.`,
      { machine, id, state, eventType, ...(acceptedIn !== undefined && { acceptedIn }) },
    ),
  eventUnknown: (machine: string, id: string, eventType: string, known: readonly string[]) =>
    new StatorError(
      'EVENT_UNKNOWN',
      `Machine "${machine}" handles no event "${eventType}" in any state (instance ${machine}/${id} is unchanged). Check the event type for a typo; the events it handles are: ${known.length > 0 ? known.join(', ') : '(none)'}.`,
      { machine, id, eventType, known },
    ),
  idempotencyMismatch: (machine: string, id: string, key: string) =>
    new StatorError(
      'IDEMPOTENCY_MISMATCH',
      `Idempotency key "${key}" was already used on ${machine}/${id} with a different request. Use a fresh key for a different request.`,
      { machine, id, key },
    ),
  validation: (message: string, details: Record<string, unknown> = {}) =>
    new StatorError('VALIDATION_FAILED', message, details),
  stepFailed: (machine: string, id: string, eventType: string, cause: unknown) =>
    new StatorError(
      'STEP_FAILED',
      `Instance ${machine}/${id} threw while handling "${eventType}": ${cause instanceof Error ? cause.message : String(cause)}. Nothing was recorded; fix the guard or action and resend.`,
      { machine, id, eventType },
      { cause },
    ),
  contextNotJson: (machine: string, id: string, eventType: string, problem: string) =>
    new StatorError(
      'STEP_FAILED',
      `Instance ${machine}/${id}: handling "${eventType}" would store a context that is not JSON data: ${problem}. Nothing was recorded; make the machine's assign produce plain data (numbers, strings, booleans, null, arrays, plain objects) and resend.`,
      { machine, id, eventType, problem },
    ),
  effectNotJson: (machine: string, id: string, eventType: string, problem: string) =>
    new StatorError(
      'STEP_FAILED',
      `Instance ${machine}/${id}: handling "${eventType}" would store ${problem}. What an effect carries is stored and read back after a restart (and replayed), so it must be plain JSON data. Nothing was recorded; give the event, input or params plain data (numbers, strings, booleans, null, arrays, plain objects) and resend.`,
      { machine, id, eventType, problem },
    ),
  replayDiverged: (machine: string, id: string, seq: number, reason: string) =>
    new StatorError(
      'REPLAY_DIVERGED',
      `Replaying ${machine}/${id} failed at event ${seq}: ${reason}. The machine definition changed under live instances; register the old version beside the new one (createEngine({ machines: [{ machine, version }] })) or migrate the instances.`,
      { machine, id, seq },
    ),
  rebuiltStateDiffers: (machine: string, id: string, seq: number, reason: string) =>
    new StatorError(
      'REPLAY_DIVERGED',
      `Instance ${machine}/${id} was rebuilt from its snapshot and events up to seq ${seq}, but ${reason}. Either the machine definition changed under live instances (register the old version beside the new one, or migrate the instances) or the stored events were modified (restore the store from a backup). Nothing was changed; the instance accepts no events until this is resolved.`,
      { machine, id, seq, reason },
    ),
  forbidden: (machine: string, id: string, eventType: string, reason: string) =>
    new StatorError(
      'FORBIDDEN',
      `Not allowed to send "${eventType}" to ${machine}/${id}: ${reason}`,
      { machine, id, eventType, reason },
    ),
  commitOutcomeUnknown: (machine: string, id: string, cause: unknown, key: string | null) =>
    new StatorError(
      'COMMIT_OUTCOME_UNKNOWN',
      `The commit for ${machine}/${id} was sent, but the store could not tell whether it was kept (${cause instanceof Error ? cause.message : String(cause)}). ${key === null ? 'Read the instance or its history before resending, or send every request with an Idempotency-Key so that retries are safe.' : `Retry with the same Idempotency-Key ("${key}"): if the first attempt was kept, the retry returns its result and applies nothing twice.`}`,
      { machine, id, ...(key !== null && { idempotencyKey: key }) },
      { cause },
    ),
  deadLetterNotFound: (what: string, details: Record<string, unknown>) =>
    new StatorError(
      'DEAD_LETTER_NOT_FOUND',
      `No dead letter ${what}: it was retried or discarded already, or never failed. List them with GET /v1/dead-letters (stator dead-letters ls).`,
      details,
    ),
  effectNotFound: (machine: string, id: string, effectId: string) =>
    new StatorError(
      'EFFECT_NOT_FOUND',
      `Instance ${machine}/${id} has no unfinished effect "${effectId}": it finished, or its state was exited. See what the instance waits for with GET …/instances/${id}/pending.`,
      { machine, id, effectId },
    ),
  effectNotWaiting: (machine: string, id: string, effectId: string, why: string) =>
    new StatorError(
      'EFFECT_NOT_WAITING',
      `Effect "${effectId}" of ${machine}/${id} is not waiting for a retry: ${why}.`,
      { machine, id, effectId, reason: why },
    ),
  engineClosed: () =>
    new StatorError('ENGINE_CLOSED', 'The engine is closed. Create a new engine to continue.'),
} as const;
