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
import type { EventObject } from 'xstate';
import { errors, SequenceConflictError, StatorError } from '../core/errors.js';
import { formatStateValue } from '../core/state-value.js';
import type { Actor, Clock, EventEnvelope } from '../core/types.js';
import type { AuditOutcome, EventWrite, InstanceRow, Store } from '../store/types.js';
import { fingerprint } from './fingerprint.js';
import type { GroupCommitter } from './group-commit.js';
import { type InstanceCache, instanceKey, type LoadedInstance } from './instance-cache.js';
import { INIT_EVENT, rebuild } from './recovery.js';
import type { MachineEntry, MachineRegistry } from './registry.js';
import type { CommandOptions, CommandResult, CommittedTransition, CreateOptions } from './types.js';
import { buildEventWrite, toState, traceId } from './write.js';

export interface RuntimeContext {
  readonly store: Store;
  readonly registry: MachineRegistry;
  readonly committer: GroupCommitter;
  readonly cache: InstanceCache;
  readonly clock: Clock;
  /** Told of every committed transition, after commit. */
  readonly committed: (t: CommittedTransition) => void;
}

/** How often a send reloads and retries after another writer got in first. */
const MAX_CONFLICT_RETRIES = 5;

export async function load(
  ctx: RuntimeContext,
  machine: string,
  id: string,
): Promise<LoadedInstance> {
  const key = instanceKey(machine, id);
  const hit = ctx.cache.get(key);
  if (hit) return hit;
  const row = await ctx.store.getInstance({ machine, id });
  if (!row) throw errors.instanceNotFound(machine, id);
  const entry = ctx.registry.get(machine, row.version);
  const { snapshot, seq } = await rebuild(ctx.store, entry, { machine, id });
  if (seq !== row.seq) {
    throw new StatorError(
      'STORE_ERROR',
      `Instance ${machine}/${id}: the instance row is at seq ${row.seq} but its events end at ${seq}. The store is inconsistent; restore it from backup.`,
      { machine, id, rowSeq: row.seq, eventSeq: seq },
    );
  }
  const loaded = { entry, snapshot, row };
  ctx.cache.set(key, loaded);
  return loaded;
}

export async function create(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  options: CreateOptions,
): Promise<CommandResult> {
  const entry = ctx.registry.latest(machine);
  const input = options.input ?? null;
  const idem = options.idempotencyKey
    ? { key: options.idempotencyKey, fingerprint: fingerprint({ create: machine, input }) }
    : undefined;
  const recorded = idem && (await recordedResult(ctx, machine, id, idem));
  if (recorded) return recorded;
  const existing =
    ctx.cache.get(instanceKey(machine, id)) ?? (await ctx.store.getInstance({ machine, id }));
  if (existing) throw errors.instanceExists(machine, id);

  const init = { type: INIT_EVENT, input } as EventObject;
  const envelope = envelopeOf(init, ctx.clock.now(), options);
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
  });
  const outcome = await ctx.committer.submit(write);
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
}

export async function send(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  request: SendRequest,
  attempt = 0,
): Promise<CommandResult> {
  ctx.registry.latest(machine); // MACHINE_NOT_FOUND before INSTANCE_NOT_FOUND
  const { event, options } = request;
  const idem = options.idempotencyKey
    ? { key: options.idempotencyKey, fingerprint: fingerprint(event) }
    : undefined;
  const recorded = idem && (await recordedResult(ctx, machine, id, idem));
  if (recorded) return recorded;

  const current = await load(ctx, machine, id);
  const envelope = envelopeOf(event, ctx.clock.now(), options);
  const { row, entry } = current;
  if (row.status !== 'active') {
    await reject(ctx, row, envelope, 'rejected_invalid', 'INSTANCE_DONE');
    throw errors.instanceDone(machine, id, row.status);
  }
  const seq = row.seq + 1;
  let outcome: ReturnType<typeof entry.stepper.next>;
  try {
    outcome = entry.stepper.next(current.snapshot, event, { at: envelope.at, seq });
  } catch (cause) {
    const error = errors.stepFailed(machine, id, event.type, cause);
    await reject(ctx, row, envelope, 'rejected_error', error.message);
    throw error;
  }
  if (!outcome.accepted) {
    await reject(ctx, row, envelope, 'rejected_invalid', 'EVENT_NOT_ACCEPTED');
    throw errors.eventNotAccepted(machine, id, formatStateValue(row.value), event.type);
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
  });
  const result = await ctx.committer.submit(write);
  if (!result.ok) {
    ctx.cache.delete(instanceKey(machine, id));
    if (attempt >= MAX_CONFLICT_RETRIES) {
      throw new SequenceConflictError(machine, id, row.seq, result.actual ?? -1);
    }
    return send(ctx, machine, id, request, attempt + 1);
  }
  ctx.cache.set(instanceKey(machine, id), {
    entry,
    snapshot: outcome.snapshot,
    row: write.instance,
  });
  return { ...toState(write.instance), duplicate: false };
}

function committed(ctx: RuntimeContext, write: EventWrite): CommandResult {
  const state = toState(write.instance);
  ctx.committed({ event: write.event, state });
  return { ...state, duplicate: false };
}

async function recordedResult(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  idem: { key: string; fingerprint: string },
): Promise<CommandResult | undefined> {
  const row = await ctx.store.getIdempotency({ machine, id }, idem.key);
  if (!row) return undefined;
  if (row.fingerprint !== idem.fingerprint) throw errors.idempotencyMismatch(machine, id, idem.key);
  return { ...(row.result as CommandResult), duplicate: true };
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
  row: InstanceRow,
  envelope: EventEnvelope,
  outcome: AuditOutcome,
  reason: string,
): Promise<void> {
  await ctx.committer.submit({
    kind: 'audit',
    audit: {
      machine: row.machine,
      id: row.id,
      transitionId: `${row.machine}/${row.id}/rejected/${randomUUID()}`,
      seq: null,
      actor: envelope.actor,
      eventType: envelope.event.type,
      from: row.value,
      to: null,
      at: envelope.at,
      traceId: traceId(envelope.traceContext),
      outcome,
      reason,
    },
  });
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
