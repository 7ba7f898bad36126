import type { EventObject } from 'xstate';
import { errors, SequenceConflictError } from '../core/errors.js';
import { formatStateValue } from '../core/state-value.js';
import type { Actor, EventEnvelope } from '../core/types.js';
import type {
  EventWrite,
  FiredTimer,
  IdempotencyRow,
  InstanceRow,
  ParentLink,
  WriteOutcome,
} from '../store/types.js';
import { admitOrDeny, decideOrDeny } from './authorize.js';
import type { RuntimeContext } from './context.js';
import { fingerprint } from './fingerprint.js';
import { scopedKey } from './idempotency.js';
import { instanceKey } from './instance-cache.js';
import { effectNotJsonAt, nonJsonAt } from './json-data.js';
import { load, MAX_CONFLICT_RETRIES } from './load.js';
import { validateEvent, validateWith } from './payload-schemas.js';
import { INIT_EVENT } from './recovery.js';
import type { MachineEntry } from './registry.js';
import { reject } from './rejections.js';
import type { CommandOptions, CommandResult, CreateOptions } from './types.js';
import { buildEventWrite, toState } from './write.js';

export async function create(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  options: CreateOptions,
  /** Set when the engine creates a durable child: no authorization, linked to its parent. */
  internal?: { readonly parent: ParentLink },
): Promise<CommandResult> {
  const entry = ctx.versions.forNew(machine, id);
  const at = ctx.clock.now();
  if (!internal) {
    const init = { type: INIT_EVENT, input: options.input ?? null } as EventObject;
    const asked = envelopeOf(init, at, options);
    await admitOrDeny(ctx, machine, id, asked);
    await decideOrDeny(ctx, machine, id, asked, undefined, false);
  }
  const input = entry.schemas.input
    ? await validateWith(entry.schemas.input, options.input, `Input of "${machine}"`)
    : (options.input ?? null);
  const idem = idempotencyOf(options, internal !== undefined, { create: machine, input });
  const recorded = idem && (await recordedResult(ctx, machine, id, idem, options.idempotencyKey));
  if (recorded) return recorded;
  // Known here: refuse at once. Otherwise the commit's insert finds out (no read first).
  if (ctx.cache.get(instanceKey(machine, id))) throw errors.instanceExists(machine, id);

  const envelope = envelopeOf({ type: INIT_EVENT, input } as EventObject, at, options);
  const step = stepOrReject(
    () => entry.stepper.initial(input, { at: envelope.at, seq: 1 }),
    entry,
    id,
  );
  const write = buildEventWrite({
    entry,
    id,
    seq: 1,
    envelope,
    previous: undefined,
    before: undefined,
    after: step.snapshot,
    effects: step.effects,
    idempotency: idem,
    parent: internal?.parent,
    outboxLease: ctx.outboxLease(envelope.at),
  });
  // The stored context: refs to spawned children already as `{ xstate$$type, id }`.
  const problem = nonJsonAt(write.instance.context, 'context');
  if (problem) throw errors.contextNotJson(machine, id, INIT_EVENT, problem);
  const badEffect = effectNotJsonAt(step.effects);
  if (badEffect) throw errors.effectNotJson(machine, id, INIT_EVENT, badEffect);
  const outcome = await submit(ctx, write);
  if (!outcome.ok) {
    if (outcome.code === 'IDEMPOTENCY_MISMATCH' && idem) {
      const again = await recordedResult(ctx, machine, id, idem, options.idempotencyKey);
      if (again) return again;
    }
    throw errors.instanceExists(machine, id);
  }
  ctx.cache.set(instanceKey(machine, id), { entry, snapshot: step.snapshot, row: write.instance });
  return committed(ctx, write);
}

export interface SendRequest {
  readonly event: EventObject;
  readonly options: CommandOptions;
  /**
   * Engine-internal delivery (timer, activity result, child completion): skips
   * authorization and payload schemas, and an event the instance no longer
   * accepts is recorded as `discarded` instead of rejected. `firedTimer` is
   * deleted in the same transaction, which applies only while that timer is
   * still pending as claimed (else nothing is written: a stale timer).
   */
  readonly internal?: { readonly firedTimer?: FiredTimer };
}

/** An internal delivery that arrived after its state was exited (or the instance finished). */
export interface Discarded {
  readonly discarded: true;
  readonly reason: string;
}

/** Applies an event from outside; resolves after commit. */
export async function send(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  request: SendRequest,
): Promise<CommandResult> {
  ctx.registry.latest(machine); // MACHINE_NOT_FOUND before INSTANCE_NOT_FOUND
  await admitOrDeny(ctx, machine, id, envelopeOf(request.event, ctx.clock.now(), request.options));
  return (await apply(ctx, machine, id, request, 0)) as CommandResult;
}

/** Delivers an engine-internal event; never throws for a state that moved on. */
export function deliver(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  request: SendRequest & { readonly internal: object },
): Promise<CommandResult | Discarded> {
  return apply(ctx, machine, id, request, 0);
}

async function apply(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  request: SendRequest,
  attempt: number,
): Promise<CommandResult | Discarded> {
  const { options, internal } = request;
  const current = await load(ctx, machine, id);
  const { row, entry } = current;
  const at = ctx.clock.now();
  // One lookup of the key serves authorization (a repeat is decided by roles) and the answer.
  const key = options.idempotencyKey;
  const scoped = key === undefined ? undefined : scopedKey(key, options.actor ?? null, !!internal);
  const stored = scoped === undefined ? undefined : await ctx.store.getIdempotency(row, scoped);
  if (!internal) {
    // With the state, before the payload is validated or a recorded result shown.
    const asked = envelopeOf(request.event, at, options);
    await decideOrDeny(ctx, machine, id, asked, row, stored !== undefined);
  }
  const event = internal ? request.event : await validateEvent(entry.schemas.events, request.event);
  const idem = scoped === undefined ? undefined : { key: scoped, fingerprint: fingerprint(event) };
  if (stored && idem) return recordedFrom(stored, idem.fingerprint, machine, id, !!internal, key);

  const envelope = envelopeOf(event, at, options);
  const fired = internal?.firedTimer;
  // Reject only against the current state: with several processes on one store the
  // cached one may be behind, and then the event is retried on the reloaded state.
  const retry = () => {
    ctx.cache.delete(instanceKey(machine, id));
    return apply(ctx, machine, id, request, attempt + 1);
  };
  const stale = async () => attempt < MAX_CONFLICT_RETRIES && (await isStale(ctx, row));
  if (row.status !== 'active') {
    if (await stale()) return retry();
    if (internal) return discard(ctx, row, envelope, `instance is ${row.status}`, fired);
    await reject(ctx, row, envelope, 'rejected_invalid', 'INSTANCE_DONE');
    throw errors.instanceDone(machine, id, row.status);
  }
  const seq = row.seq + 1;
  let outcome: ReturnType<typeof entry.stepper.next>;
  try {
    outcome = entry.stepper.next(current.snapshot, event, { at: envelope.at, seq });
  } catch (cause) {
    if (await stale()) return retry();
    const error = errors.stepFailed(machine, id, event.type, cause);
    await reject(ctx, row, envelope, 'rejected_error', error.message);
    throw error;
  }
  if (!outcome.accepted) {
    if (await stale()) return retry();
    const state = formatStateValue(row.value);
    if (internal) return discard(ctx, row, envelope, `not accepted in state ${state}`, fired);
    return notAccepted(ctx, entry, row, envelope);
  }
  const write = buildEventWrite({
    entry,
    id,
    seq,
    envelope,
    previous: row,
    before: current.snapshot,
    after: outcome.snapshot,
    effects: outcome.effects,
    idempotency: idem,
    firedTimer: fired,
    outboxLease: ctx.outboxLease(envelope.at),
  });
  const problem = nonJsonAt(write.instance.context, 'context', row.context);
  const badEffect = problem ? undefined : effectNotJsonAt(outcome.effects);
  if (problem || badEffect) {
    const error = problem
      ? errors.contextNotJson(machine, id, event.type, problem)
      : errors.effectNotJson(machine, id, event.type, badEffect as string);
    await reject(ctx, row, envelope, 'rejected_error', error.message);
    throw error;
  }
  const result = await submit(ctx, write);
  if (!result.ok) {
    if (result.code === 'TIMER_GONE') return TIMER_GONE;
    if (attempt >= MAX_CONFLICT_RETRIES) {
      ctx.cache.delete(instanceKey(machine, id));
      throw new SequenceConflictError(machine, id, row.seq, result.actual ?? -1);
    }
    // Another process got in first: back off a little, jittered (up to 1, 2, 4, 8, 16 ms),
    // so the retry does not meet that writer's next commit again.
    if (result.code === 'SEQUENCE_CONFLICT') await sleep(Math.random() * 2 ** attempt);
    return retry();
  }
  ctx.cache.set(instanceKey(machine, id), {
    entry,
    snapshot: outcome.snapshot,
    row: write.instance,
  });
  return committed(ctx, write, row);
}

/**
 * Commits one event write. When the commit fails the cached state may no longer
 * be the stored one (a commit whose outcome is unknown may have landed), so the
 * instance is reloaded from the store next time.
 */
export async function submit(ctx: RuntimeContext, write: EventWrite): Promise<WriteOutcome> {
  try {
    return await ctx.committer.submit(write);
  } catch (error) {
    ctx.cache.delete(instanceKey(write.instance.machine, write.instance.id));
    throw error;
  }
}

/** A fired timer that was cancelled or set again after it was claimed: nothing is written. */
const TIMER_GONE: Discarded = {
  discarded: true,
  reason: 'the timer was cancelled or set again after it was claimed',
};

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Whether the store holds a newer state of the instance than `row` (another process committed). */
async function isStale(ctx: RuntimeContext, row: InstanceRow): Promise<boolean> {
  const stored = await ctx.store.getInstance({ machine: row.machine, id: row.id });
  return stored?.seq !== row.seq;
}

async function discard(
  ctx: RuntimeContext,
  row: InstanceRow,
  envelope: EventEnvelope,
  reason: string,
  firedTimer: FiredTimer | undefined,
): Promise<Discarded> {
  await reject(ctx, row, envelope, 'discarded', reason, firedTimer);
  return { discarded: true, reason };
}

/**
 * An event from outside the current state does not take: EVENT_UNKNOWN when no
 * state handles its type, else EVENT_NOT_ACCEPTED naming the states that do;
 * or, for a machine registered with `unacceptedEvents: 'ignore'`, XState's
 * semantics: recorded as discarded, answered with the unchanged state.
 */
async function notAccepted(
  ctx: RuntimeContext,
  entry: MachineEntry,
  row: InstanceRow,
  envelope: EventEnvelope,
): Promise<CommandResult> {
  const { machine, id } = row;
  const type = envelope.event.type;
  const state = formatStateValue(row.value);
  if (entry.unacceptedEvents === 'ignore') {
    await reject(ctx, row, envelope, 'discarded', `ignored: not accepted in state ${state}`);
    return { ...toState(row), duplicate: false };
  }
  if (!entry.events.known(type)) {
    await reject(ctx, row, envelope, 'rejected_invalid', 'EVENT_UNKNOWN');
    throw errors.eventUnknown(machine, id, type, entry.events.descriptors);
  }
  await reject(ctx, row, envelope, 'rejected_invalid', 'EVENT_NOT_ACCEPTED');
  throw errors.eventNotAccepted(machine, id, state, type, entry.events.acceptedIn(type));
}

export function committed(
  ctx: RuntimeContext,
  write: EventWrite,
  previous?: InstanceRow,
): CommandResult {
  if (ctx.inspector.wants('transition.committed')) {
    const at = write.event.recordedAt;
    ctx.inspector.emit({ type: 'transition.committed', at, write, ...(previous && { previous }) });
  }
  return { ...toState(write.instance), duplicate: false };
}

export async function recordedResult(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  idem: { key: string; fingerprint: string },
  asGiven: string | undefined,
): Promise<CommandResult | undefined> {
  const row = await ctx.store.getIdempotency({ machine, id }, idem.key);
  return row && recordedFrom(row, idem.fingerprint, machine, id, false, asGiven);
}

/** The recorded result of a repeated key; a different request under it is a mismatch. */
function recordedFrom(
  row: IdempotencyRow,
  fingerprint: string,
  machine: string,
  id: string,
  internal: boolean,
  asGiven: string | undefined,
): CommandResult {
  // An internal delivery under the same key (a re-run activity's result) was already applied.
  if (row.fingerprint !== fingerprint && !internal) {
    throw errors.idempotencyMismatch(machine, id, asGiven ?? row.key);
  }
  return { ...(row.result as CommandResult), duplicate: true };
}

/** The idempotency record of a request with a key: the key scoped to its actor, and the request's fingerprint. */
export function idempotencyOf(
  options: CommandOptions,
  internal: boolean,
  request: unknown,
): { key: string; fingerprint: string } | undefined {
  if (options.idempotencyKey === undefined) return undefined;
  return {
    key: scopedKey(options.idempotencyKey, options.actor ?? null, internal),
    fingerprint: fingerprint(request),
  };
}

function stepOrReject<T>(run: () => T, entry: MachineEntry, id: string): T {
  try {
    return run();
  } catch (cause) {
    throw errors.stepFailed(entry.name, id, INIT_EVENT, cause);
  }
}

export function envelopeOf(event: EventObject, at: number, options: CommandOptions): EventEnvelope {
  return {
    event,
    at,
    actor: (options.actor as Actor | undefined) ?? null,
    idempotencyKey: options.idempotencyKey ?? null,
    traceContext: options.traceContext ?? null,
  };
}

export { load } from './load.js';
