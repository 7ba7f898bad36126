/**
 * The durable commit path. For one event on one instance (inside its mailbox):
 *
 *   load (cache, or snapshot + replay) → dedupe idempotency key → pure step
 *   → one EventWrite (event, instance row, snapshot, timers, outbox, audit,
 *   idempotency) → group commit → cache the committed state → answer.
 *
 * Nothing is visible before the commit; a rejection commits only its audit row.
 */
import { randomUUID } from 'node:crypto';
import type { AnyMachineSnapshot, EventObject } from 'xstate';
import { errors, SequenceConflictError, StatorError } from '../core/errors.js';
import { ids } from '../core/ids.js';
import { formatStateValue } from '../core/state-value.js';
import type { Actor, EventEnvelope } from '../core/types.js';
import type {
  AuditOutcome,
  AuditRow,
  EventWrite,
  FiredTimer,
  InstanceRow,
  ParentLink,
  WriteOutcome,
} from '../store/types.js';
import type { RuntimeContext } from './context.js';
import { canonicalJson, fingerprint } from './fingerprint.js';
import { scopedKey } from './idempotency.js';
import { instanceKey, type LoadedInstance } from './instance-cache.js';
import { nonJsonAt } from './json-data.js';
import { validateEvent, validateWith } from './payload-schemas.js';
import { INIT_EVENT, rebuild } from './recovery.js';
import type { MachineEntry } from './registry.js';
import type { CommandOptions, CommandResult, CreateOptions } from './types.js';
import { buildEventWrite, toState, traceId } from './write.js';

/** How often a send reloads and retries after another writer got in first. */
const _MAX_CONFLICT_RETRIES = 5;

/** How often a send reloads and retries after another writer got in first. */
const MAX_CONFLICT_RETRIES = 5;

/**
 * The instance as last committed: from the cache, or rebuilt from the store.
 * `minSeq`: the caller knows the instance reached this seq (an outbox row or timer
 * written by it), so a cached state older than that, left behind by a commit in
 * another process, is reloaded.
 */
export async function load(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  minSeq = 0,
): Promise<LoadedInstance> {
  const key = instanceKey(machine, id);
  const hit = ctx.cache.get(key);
  if (hit && hit.row.seq >= minSeq) return hit;
  for (let reads = 1; ; reads++) {
    const row = await ctx.store.getInstance({ machine, id });
    if (!row) throw errors.instanceNotFound(machine, id);
    const entry = ctx.registry.get(machine, row.version);
    // Up to the row's seq: another process may commit more meanwhile.
    const { snapshot, seq } = await rebuild(
      ctx.store,
      entry,
      { machine, id },
      false,
      row.seq,
    ).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 'REPLAY_DIVERGED') {
        diverged(ctx, machine, id, (error as Error).message);
      }
      throw error;
    });
    if (seq === row.seq) {
      const differs = divergence(row, snapshot);
      if (differs) {
        diverged(ctx, machine, id, differs);
        throw errors.rebuiltStateDiffers(machine, id, row.seq, differs);
      }
      const loaded = { entry, snapshot, row };
      ctx.cache.set(key, loaded);
      return loaded;
    }
    // A snapshot newer than the row: another process committed since. Read the row again.
    if (seq > row.seq && reads < MAX_CONFLICT_RETRIES) continue;
    throw new StatorError(
      'STORE_ERROR',
      `Instance ${machine}/${id}: the instance row is at seq ${row.seq} but its events end at ${seq}. The store is inconsistent; restore it from backup.`,
      { machine, id, rowSeq: row.seq, eventSeq: seq },
    );
  }
}

function diverged(ctx: RuntimeContext, machine: string, id: string, reason: string): void {
  ctx.inspector.emit({ type: 'replay.diverged', at: ctx.clock.now(), machine, id, reason });
}

/**
 * Where a state rebuilt from snapshot + events differs from the stored instance
 * row (a changed definition replayed on old events, or an edited store), or
 * undefined when they agree.
 */
function divergence(row: InstanceRow, snapshot: AnyMachineSnapshot): string | undefined {
  if (canonicalJson(snapshot.value) !== canonicalJson(row.value)) {
    return `the events lead to state ${formatStateValue(snapshot.value)}, the stored row says ${formatStateValue(row.value)}`;
  }
  if (snapshot.status !== row.status) {
    return `the events lead to status ${snapshot.status}, the stored row says ${row.status}`;
  }
  if (canonicalJson(snapshot.context) !== canonicalJson(row.context)) {
    return 'the events lead to a different context than the stored row';
  }
  return undefined;
}

export async function create(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  options: CreateOptions,
  /** Set when the engine creates a durable child: no authorization, linked to its parent. */
  internal?: { readonly parent: ParentLink },
): Promise<CommandResult> {
  const entry = ctx.registry.latest(machine);
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
  const recorded = idem && (await recordedResult(ctx, machine, id, idem));
  if (recorded) return recorded;
  // Known here: refuse at once. Otherwise the commit's insert finds out (no read first).
  if (ctx.cache.get(instanceKey(machine, id))) throw errors.instanceExists(machine, id);

  const envelope = envelopeOf({ type: INIT_EVENT, input } as EventObject, at, options);
  const step = stepOrReject(
    () => entry.stepper.initial(input, { at: envelope.at, seq: 1 }),
    entry,
    id,
  );
  const problem = nonJsonAt(step.snapshot.context, 'context');
  if (problem) throw errors.contextNotJson(machine, id, INIT_EVENT, problem);
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
  const outcome = await submit(ctx, write);
  if (!outcome.ok) {
    if (outcome.code === 'IDEMPOTENCY_MISMATCH' && idem) {
      const again = await recordedResult(ctx, machine, id, idem);
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
  if (!internal) {
    // With the state, before the payload is validated or a recorded result looked at.
    const scoped =
      options.idempotencyKey && scopedKey(options.idempotencyKey, options.actor ?? null, false);
    const repeat =
      scoped !== undefined && (await ctx.store.getIdempotency(row, scoped)) !== undefined;
    await decideOrDeny(ctx, machine, id, envelopeOf(request.event, at, options), row, repeat);
  }
  const event = internal ? request.event : await validateEvent(entry.schemas.events, request.event);
  const idem = idempotencyOf(options, internal !== undefined, event);
  const recorded = idem && (await recordedResult(ctx, machine, id, idem, internal !== undefined));
  if (recorded) return recorded;

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
    await reject(ctx, row, envelope, 'rejected_invalid', 'EVENT_NOT_ACCEPTED');
    throw errors.eventNotAccepted(machine, id, state, event.type);
  }
  const problem = nonJsonAt(outcome.snapshot.context, 'context', current.snapshot.context);
  if (problem) {
    const error = errors.contextNotJson(machine, id, event.type, problem);
    await reject(ctx, row, envelope, 'rejected_error', error.message);
    throw error;
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
  return committed(ctx, write);
}

/**
 * Commits one event write. When the commit fails the cached state may no longer
 * be the stored one (a commit whose outcome is unknown may have landed), so the
 * instance is reloaded from the store next time.
 */
async function submit(ctx: RuntimeContext, write: EventWrite): Promise<WriteOutcome> {
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

function committed(ctx: RuntimeContext, write: EventWrite): CommandResult {
  ctx.inspector.emit({ type: 'transition.committed', at: write.event.recordedAt, write });
  return { ...toState(write.instance), duplicate: false };
}

async function recordedResult(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  idem: { key: string; fingerprint: string },
  internal = false,
): Promise<CommandResult | undefined> {
  const row = await ctx.store.getIdempotency({ machine, id }, idem.key);
  if (!row) return undefined;
  // An internal delivery under the same key (a re-run activity's result) was already applied.
  if (row.fingerprint !== idem.fingerprint && !internal) {
    throw errors.idempotencyMismatch(machine, id, idem.key);
  }
  return { ...(row.result as CommandResult), duplicate: true };
}

/** The idempotency record of a request with a key: the key scoped to its actor, and the request's fingerprint. */
function idempotencyOf(
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

/** Authorization's first step: before anything about the instance is read. */
async function admitOrDeny(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  envelope: EventEnvelope,
): Promise<void> {
  const reason = ctx.gate?.admit({
    machine,
    id,
    eventType: envelope.event.type,
    actor: envelope.actor,
  });
  if (reason !== undefined) await deny(ctx, { machine, id, value: null }, envelope, reason);
}

/** Authorization's second step: with the instance's current state (none for creates). */
async function decideOrDeny(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  envelope: EventEnvelope,
  row: InstanceRow | undefined,
  duplicate: boolean,
): Promise<void> {
  const reason = ctx.gate?.decide({
    machine,
    id,
    event: envelope.event,
    actor: envelope.actor,
    state: row && toState(row),
    duplicate,
  });
  if (reason !== undefined) await deny(ctx, row ?? { machine, id, value: null }, envelope, reason);
}

/**
 * Throws FORBIDDEN for a denied request, after auditing it as `rejected_auth`
 * (unless the actor's denials are being left out: DenialLimiter).
 */
async function deny(
  ctx: RuntimeContext,
  row: Pick<InstanceRow, 'machine' | 'id'> & { readonly value: InstanceRow['value'] | null },
  envelope: EventEnvelope,
  reason: string,
): Promise<never> {
  const note = ctx.denials.take(envelope.actor?.id ?? '', envelope.at);
  if (note !== undefined) await reject(ctx, row, envelope, 'rejected_auth', reason + note);
  throw errors.forbidden(row.machine, row.id, envelope.event.type, reason);
}

function stepOrReject<T>(run: () => T, entry: MachineEntry, id: string): T {
  try {
    return run();
  } catch (cause) {
    throw errors.stepFailed(entry.name, id, INIT_EVENT, cause);
  }
}

async function reject(
  ctx: RuntimeContext,
  row: Pick<InstanceRow, 'machine' | 'id'> & { readonly value: InstanceRow['value'] | null },
  envelope: EventEnvelope,
  outcome: AuditOutcome,
  reason: string,
  firedTimer?: FiredTimer,
): Promise<void> {
  const audit: AuditRow = {
    machine: row.machine,
    id: row.id,
    transitionId: ids.rejection(row, randomUUID()),
    seq: null,
    actor: envelope.actor,
    eventType: envelope.event.type,
    from: row.value,
    to: null,
    at: envelope.at,
    traceId: traceId(envelope.traceContext),
    outcome,
    reason,
  };
  const result = await ctx.committer.submit({
    kind: 'audit',
    ...(firedTimer !== undefined && { timersCancelled: [firedTimer.timerId], firedTimer }),
    audit,
  });
  if (!result.ok || !ctx.inspector.listening) return;
  const type = outcome === 'discarded' ? 'transition.discarded' : 'transition.rejected';
  ctx.inspector.emit({ type, at: envelope.at, audit });
}

function envelopeOf(event: EventObject, at: number, options: CommandOptions): EventEnvelope {
  return {
    event,
    at,
    actor: (options.actor as Actor | undefined) ?? null,
    idempotencyKey: options.idempotencyKey ?? null,
    traceContext: options.traceContext ?? null,
  };
}
