/**
 * Row builders for store tests: each returns a complete, realistic row with
 * overridable parts, so a test names only what it is about.
 */
import type { Actor, InstanceStatus, OutboxEffect, StateValue } from '../../core/types.js';
import type {
  ApiKeyRow,
  AuditOnlyWrite,
  AuditRow,
  EmitRow,
  EventWrite,
  IdempotencyRow,
  InstanceKey,
  OutboxRow,
  ParentLink,
  SnapshotRow,
  Store,
  TimerRow,
} from '../types.js';

/** A fixed epoch for recorded times; `at(5)` is five seconds later. */
export const T0 = 1_700_000_000_000;
export const at = (seconds: number): number => T0 + seconds * 1000;

export const key = (machine: string, id: string): InstanceKey => ({ machine, id });

/** What one accepted event looks like, for `createWrite` and `eventWrite`. */
export interface Step {
  readonly type?: string;
  readonly payload?: Record<string, unknown>;
  readonly value?: StateValue;
  readonly context?: unknown;
  readonly status?: InstanceStatus;
  /** Recorded time; default `at(seq)`. */
  readonly at?: number;
  readonly actor?: Actor | null;
  readonly traceContext?: Record<string, string> | null;
  readonly timersSet?: readonly TimerRow[];
  readonly timersCancelled?: readonly string[];
  readonly outbox?: readonly OutboxRow[];
  readonly emits?: readonly EmitRow[];
  /** The instance's parent link; default null (left out of the row when `undefined` is given). */
  readonly parent?: ParentLink | null | undefined;
  /** The write's id; default `w-<machine>-<id>-<seq>`. */
  readonly writeId?: string;
  /** A snapshot taken after this event, with this content. */
  readonly snapshot?: unknown;
  readonly idempotency?: {
    readonly key: string;
    readonly fingerprint?: string;
    readonly result?: unknown;
  };
}

/** The write that creates instance `k` (seq 1). */
export function createWrite(k: InstanceKey, step: Step = {}): EventWrite {
  return buildWrite('create', k, 0, { type: 'xstate.init', ...step });
}

/** The write of the event that follows seq `expectedSeq` (so it gets `expectedSeq + 1`). */
export function eventWrite(k: InstanceKey, expectedSeq: number, step: Step = {}): EventWrite {
  return buildWrite('event', k, expectedSeq, step);
}

function buildWrite(
  kind: EventWrite['kind'],
  k: InstanceKey,
  expectedSeq: number,
  step: Step,
): EventWrite {
  const seq = expectedSeq + 1;
  const time = step.at ?? at(seq);
  const type = step.type ?? 'Next';
  const value = step.value ?? (kind === 'create' ? 'pending' : `step${seq}`);
  const actor = step.actor === undefined ? { id: 'user-1', roles: ['clerk'] } : step.actor;
  return {
    kind,
    expectedSeq,
    writeId: step.writeId ?? `w-${k.machine}-${k.id}-${seq}`,
    instance: {
      ...k,
      version: '1',
      value,
      context: 'context' in step ? step.context : { seq },
      status: step.status ?? 'active',
      seq,
      stateEnteredAt: time,
      createdAt: kind === 'create' ? time : T0,
      updatedAt: time,
      ...('parent' in step
        ? step.parent === undefined
          ? {}
          : { parent: step.parent }
        : { parent: null }),
    },
    event: {
      ...k,
      seq,
      type,
      payload: step.payload ?? {},
      actor,
      recordedAt: time,
      idempotencyKey: step.idempotency?.key ?? null,
      traceContext: step.traceContext ?? null,
    },
    snapshot:
      'snapshot' in step
        ? { ...k, seq, version: '1', snapshot: step.snapshot, takenAt: time }
        : undefined,
    timersSet: step.timersSet ?? [],
    timersCancelled: step.timersCancelled ?? [],
    outbox: step.outbox ?? [],
    ...(step.emits === undefined ? {} : { emits: step.emits }),
    audit: {
      ...k,
      transitionId: `${k.machine}/${k.id}/${seq}`,
      seq,
      actor,
      eventType: type,
      from: null,
      to: value,
      at: time,
      traceId: null,
      outcome: 'applied',
      reason: null,
    },
    idempotency: step.idempotency && idempotencyRow(k, seq, time, step.idempotency),
  };
}

function idempotencyRow(
  k: InstanceKey,
  seq: number,
  time: number,
  spec: NonNullable<Step['idempotency']>,
): IdempotencyRow {
  return {
    ...k,
    key: spec.key,
    fingerprint: spec.fingerprint ?? `fp-${spec.key}`,
    seq,
    result: 'result' in spec ? spec.result : { seq },
    createdAt: time,
  };
}

/** A rejected event: an audit row and nothing else. */
export function auditOnly(k: InstanceKey, audit: Partial<AuditRow> = {}): AuditOnlyWrite {
  return {
    kind: 'audit',
    audit: {
      ...k,
      transitionId: `${k.machine}/${k.id}/rejected`,
      seq: null,
      actor: { id: 'user-2' },
      eventType: 'Refund',
      from: 'pending',
      to: null,
      at: T0,
      traceId: null,
      outcome: 'rejected_invalid',
      reason: 'state pending does not accept Refund',
      ...audit,
    },
  };
}

export function timer(
  k: InstanceKey,
  timerId: string,
  dueAt: number,
  more: Partial<Omit<TimerRow, 'machine' | 'id' | 'timerId' | 'dueAt'>> = {},
): TimerRow {
  return {
    ...k,
    timerId,
    dueAt,
    event: { type: 'Timeout' },
    target: 'self',
    setBySeq: 1,
    attempts: 0,
    status: 'pending',
    lastError: null,
    ...more,
  };
}

export function effect(
  k: InstanceKey,
  seq: number,
  index: number,
  outboxEffect: OutboxEffect = { kind: 'action', type: 'notify', params: { seq, index } },
): OutboxRow {
  return {
    ...k,
    effectId: `${k.machine}/${k.id}/${seq}/${index}`,
    seq,
    index,
    effect: outboxEffect,
    attempts: 0,
    nextAttemptAt: at(seq),
    createdAt: at(seq),
    status: 'pending',
    lastError: null,
  };
}

/** The `index`th event emitted by the transition to `seq`. */
export function emit(
  k: InstanceKey,
  seq: number,
  index: number,
  event: EmitRow['event'] = { type: 'order.updated', seq, index },
): EmitRow {
  return {
    ...k,
    seq,
    index,
    effectId: `${k.machine}/${k.id}/${seq}/e${index}`,
    event,
    at: at(seq),
  };
}

export function apiKey(keyId: string, more: Partial<ApiKeyRow> = {}): ApiKeyRow {
  return {
    keyId,
    hash: `sha256-of-${keyId}`,
    name: `key ${keyId}`,
    subject: `svc:${keyId}`,
    roles: ['clerk'],
    createdAt: T0,
    revokedAt: null,
    ...more,
  };
}

/** Drop the optional fields a writer may leave out, to check the documented defaults. */
export function bare<T extends object, K extends keyof T>(row: T, ...fields: K[]): Omit<T, K> {
  const copy = { ...row };
  for (const field of fields) delete copy[field];
  return copy;
}

export function snapshotRow(k: InstanceKey, seq: number, snapshot: unknown = { seq }): SnapshotRow {
  return { ...k, seq, version: '1', snapshot, takenAt: at(seq) };
}

/** Everything the store holds for one instance: to assert that a failed write changed nothing. */
export async function readAll(
  store: Store,
  k: InstanceKey,
  idempotencyKeys: readonly string[] = [],
) {
  return {
    instance: await store.getInstance(k),
    events: await store.readEvents(k, { limit: 1000 }),
    audit: await store.readAudit(k, { limit: 1000 }),
    timers: await store.listTimers(k),
    outbox: await store.listOutbox(k),
    snapshot: await store.latestSnapshot(k),
    idempotency: await Promise.all(idempotencyKeys.map((ik) => store.getIdempotency(k, ik))),
  };
}
