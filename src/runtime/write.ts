import { randomBytes } from 'node:crypto';
import type { AnyMachineSnapshot, EventObject } from 'xstate';
import { contextData } from '../core/context-data.js';
import { PARENT_TARGET } from '../core/effects.js';
import { ids } from '../core/ids.js';
import { formatStateValue } from '../core/state-value.js';
import type { Effect, EventEnvelope, InstanceStatus } from '../core/types.js';
import type {
  EmitRow,
  EventWrite,
  FiredTimer,
  InstanceRow,
  OutboxRow,
  ParentLink,
  TimerRow,
} from '../store/types.js';
import type { MachineEntry } from './registry.js';
import { shouldSnapshot } from './snapshot-policy.js';
import type { InstanceState } from './types.js';

export interface TransitionFacts {
  readonly entry: MachineEntry;
  readonly id: string;
  readonly seq: number;
  readonly envelope: EventEnvelope;
  /** The committed row before this event; undefined for a create. */
  readonly previous: InstanceRow | undefined;
  readonly before: AnyMachineSnapshot | undefined;
  readonly after: AnyMachineSnapshot;
  readonly effects: readonly Effect[];
  readonly idempotency?: { readonly key: string; readonly fingerprint: string } | undefined;
  /**
   * The timer whose event this is: deleted with the write unless the step set it
   * again; the write applies only while it is still pending as claimed.
   */
  readonly firedTimer?: FiredTimer | undefined;
  /** For a durable child: its parent, told of the child's completion through the outbox. */
  readonly parent?: ParentLink | null | undefined;
  /** Write a snapshot with this event whatever the policy says (a migration). */
  readonly forceSnapshot?: boolean;
  /** Lease the outbox rows to this process, which dispatches them from memory. */
  readonly outboxLease?: { readonly owner: string; readonly until: number } | undefined;
}

/** Everything one accepted event writes, as one EventWrite for the store's transaction. */
export function buildEventWrite(f: TransitionFacts): EventWrite {
  const { entry, id, seq, envelope, previous, after } = f;
  const machine = entry.name;
  const at = envelope.at;
  const { type, ...payload } = envelope.event;
  const instance: InstanceRow = {
    machine,
    id,
    version: entry.version,
    value: after.value,
    // Refs to spawned children as `{ xstate$$type, id }`: plain data, as in XState's persisted snapshot.
    context: contextData(after.context, f.before?.context, previous?.context),
    status: after.status as InstanceStatus,
    seq,
    stateEnteredAt:
      previous && sameValue(previous.value, after.value) ? previous.stateEnteredAt : at,
    createdAt: previous?.createdAt ?? at,
    updatedAt: at,
    parent: previous?.parent ?? f.parent ?? null,
  };
  const { timersSet, timersCancelled } = timerChanges(machine, id, seq, f.effects);
  const fired = f.firedTimer;
  if (
    fired !== undefined &&
    !timersSet.some((t) => t.timerId === fired.timerId) &&
    !timersCancelled.includes(fired.timerId)
  ) {
    timersCancelled.push(fired.timerId);
  }
  const outbox = outboxRows(machine, id, seq, at, f.effects);
  if (instance.parent && instance.status === 'done' && previous?.status !== 'done') {
    outbox.push(parentNotice(instance, instance.parent, seq, at, outbox.length, after.output));
  }
  return {
    kind: previous ? 'event' : 'create',
    expectedSeq: previous?.seq ?? 0,
    writeId: newWriteId(),
    instance,
    event: {
      machine,
      id,
      seq,
      type,
      payload,
      actor: envelope.actor,
      recordedAt: at,
      idempotencyKey: envelope.idempotencyKey,
      traceContext: envelope.traceContext ? { ...envelope.traceContext } : null,
    },
    snapshot:
      f.forceSnapshot || shouldSnapshot(entry, seq, f.before, after)
        ? {
            machine,
            id,
            seq,
            version: entry.version,
            snapshot: entry.stepper.persist(after),
            takenAt: at,
          }
        : undefined,
    timersSet,
    timersCancelled,
    ...(fired !== undefined && { firedTimer: fired }),
    outbox,
    outboxLease: outbox.length > 0 ? f.outboxLease : undefined,
    emits: emitRows(machine, id, seq, at, f.effects),
    audit: {
      machine,
      id,
      transitionId: ids.transition(instance, seq),
      seq,
      actor: envelope.actor,
      eventType: type,
      from: previous?.value ?? null,
      to: after.value,
      at,
      traceId: traceId(envelope.traceContext),
      outcome: 'applied',
      reason: null,
    },
    idempotency: f.idempotency
      ? {
          machine,
          id,
          key: f.idempotency.key,
          fingerprint: f.idempotency.fingerprint,
          seq,
          result: toState(instance),
          createdAt: at,
        }
      : undefined,
  };
}

/**
 * A fresh write id: 96 random bits drawn once per process (so ids never repeat
 * across processes or restarts), then a counter. Drawing random bytes per write
 * cost a tenth of the commit path's CPU.
 */
const WRITE_ID_PREFIX = randomBytes(12).toString('base64url');
let writeCounter = 0;
export const newWriteId = (): string => `${WRITE_ID_PREFIX}${(writeCounter++).toString(36)}`;

/** Net timer changes of one step: the last set or cancel of each timer id wins. */
function timerChanges(machine: string, id: string, seq: number, effects: readonly Effect[]) {
  const last = new Map<string, TimerRow | null>();
  for (const e of effects) {
    if (e.kind === 'timer.set') {
      last.set(e.timerId, {
        machine,
        id,
        timerId: e.timerId,
        dueAt: e.dueAt,
        event: e.event,
        target: e.target,
        setBySeq: seq,
      });
    } else if (e.kind === 'timer.cancel') {
      last.set(e.timerId, null);
    }
  }
  const timersSet: TimerRow[] = [];
  const timersCancelled: string[] = [];
  for (const [timerId, row] of last) {
    if (row) timersSet.push(row);
    else timersCancelled.push(timerId);
  }
  return { timersSet, timersCancelled };
}

function outboxRows(
  machine: string,
  id: string,
  seq: number,
  at: number,
  effects: readonly Effect[],
): OutboxRow[] {
  const rows: OutboxRow[] = [];
  for (const effect of effects) {
    if (effect.kind === 'timer.set' || effect.kind === 'timer.cancel' || effect.kind === 'emit') {
      continue;
    }
    const index = rows.length;
    rows.push({
      machine,
      id,
      effectId: ids.effect({ machine, id }, seq, index),
      seq,
      index,
      effect,
      attempts: 0,
      nextAttemptAt: at,
      createdAt: at,
    });
  }
  return rows;
}

/** The outbox row that tells a parent its durable child finished (XState's done event). */
function parentNotice(
  child: InstanceRow,
  parent: ParentLink,
  seq: number,
  at: number,
  index: number,
  output: unknown,
): OutboxRow {
  const type = `xstate.done.actor.${parent.activityId}`;
  return {
    machine: child.machine,
    id: child.id,
    effectId: ids.effect(child, seq, index),
    seq,
    index,
    effect: {
      kind: 'send',
      target: PARENT_TARGET,
      event: { type, output: output ?? null, actorId: parent.activityId } as EventObject,
    },
    attempts: 0,
    nextAttemptAt: at,
    createdAt: at,
  };
}

export { PARENT_TARGET };

function emitRows(
  machine: string,
  id: string,
  seq: number,
  at: number,
  effects: readonly Effect[],
): EmitRow[] {
  const rows: EmitRow[] = [];
  for (const effect of effects) {
    if (effect.kind !== 'emit') continue;
    const index = rows.length;
    rows.push({
      machine,
      id,
      seq,
      index,
      effectId: ids.emit({ machine, id }, seq, index),
      event: effect.event,
      at,
    });
  }
  return rows;
}

export function toState(row: InstanceRow): InstanceState {
  return {
    machine: row.machine,
    id: row.id,
    version: row.version,
    value: row.value,
    context: row.context,
    status: row.status,
    seq: row.seq,
    stateEnteredAt: row.stateEnteredAt,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || formatStateValue(a as never) === formatStateValue(b as never);
}

/** The trace id of a W3C `traceparent` (`00-<trace-id>-<span-id>-<flags>`), if any. */
export function traceId(ctx: Readonly<Record<string, string>> | null): string | null {
  const parent = ctx?.traceparent;
  if (!parent) return null;
  const parts = parent.split('-');
  return parts.length >= 4 && parts[1]?.length === 32 ? parts[1] : null;
}
