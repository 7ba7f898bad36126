import type { Actor, InstanceStatus, OutboxEffect, StateValue } from '../../core/types.js';
import type {
  ApiKeyRow,
  AuditOutcome,
  AuditRecord,
  EmitRecord,
  EventRow,
  IdempotencyRow,
  InstanceKey,
  InstanceRow,
  MachineVersionRow,
  OutboxRow,
  ParentLink,
  SnapshotRow,
  TimerRow,
} from '../types.js';
import { fromJson, fromNullableJson } from './json.js';

/** Rows as the SQL stores return them (snake_case, JSON as text), and their mapping to the contract's rows. */

export interface InstanceRecord {
  machine: string;
  id: string;
  version: string;
  value: string;
  context: string | null;
  status: string;
  seq: number;
  state_entered_at: number;
  created_at: number;
  updated_at: number;
  parent: string | null;
}

export const toInstanceRow = (r: InstanceRecord): InstanceRow => ({
  machine: r.machine,
  id: r.id,
  version: r.version,
  value: JSON.parse(r.value) as StateValue,
  context: fromJson(r.context),
  status: r.status as InstanceStatus,
  seq: r.seq,
  stateEnteredAt: r.state_entered_at,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  parent: fromNullableJson<ParentLink>(r.parent),
});

export interface EventRecord {
  machine: string;
  id: string;
  seq: number;
  type: string;
  payload: string;
  actor: string | null;
  recorded_at: number;
  idempotency_key: string | null;
  trace_context: string | null;
}

/** An event row's columns after its key, as a raw read returns them (SQLite's replay read). */
export type EventColumns = [
  seq: number,
  type: string,
  payload: string,
  actor: string | null,
  recorded_at: number,
  idempotency_key: string | null,
  trace_context: string | null,
];

export const eventRowOf = (key: InstanceKey, c: EventColumns): EventRow => ({
  machine: key.machine,
  id: key.id,
  seq: c[0],
  type: c[1],
  payload: JSON.parse(c[2]) as Record<string, unknown>,
  actor: fromNullableJson<Actor>(c[3]),
  recordedAt: c[4],
  idempotencyKey: c[5],
  traceContext: fromNullableJson<Record<string, string>>(c[6]),
});

/** An event row read without its key columns (the reader knows the instance). */
export const toEventRow = (key: InstanceKey, r: Omit<EventRecord, 'machine' | 'id'>): EventRow => ({
  machine: key.machine,
  id: key.id,
  seq: r.seq,
  type: r.type,
  payload: JSON.parse(r.payload) as Record<string, unknown>,
  actor: fromNullableJson<Actor>(r.actor),
  recordedAt: r.recorded_at,
  idempotencyKey: r.idempotency_key,
  traceContext: fromNullableJson<Record<string, string>>(r.trace_context),
});

export interface SnapshotRecord {
  machine: string;
  id: string;
  seq: number;
  version: string;
  snapshot: string | null;
  taken_at: number;
}

export const toSnapshotRow = (r: SnapshotRecord): SnapshotRow => ({
  machine: r.machine,
  id: r.id,
  seq: r.seq,
  version: r.version,
  snapshot: fromJson(r.snapshot),
  takenAt: r.taken_at,
});

export interface TimerRecord {
  machine: string;
  id: string;
  timer_id: string;
  due_at: number;
  event: string;
  target: string;
  set_by_seq: number;
  attempts: number;
  status: string;
  last_error: string | null;
}

export const toTimerRow = (r: TimerRecord): TimerRow => ({
  machine: r.machine,
  id: r.id,
  timerId: r.timer_id,
  dueAt: r.due_at,
  event: JSON.parse(r.event) as TimerRow['event'],
  target: r.target,
  setBySeq: r.set_by_seq,
  attempts: r.attempts,
  status: r.status as NonNullable<TimerRow['status']>,
  lastError: r.last_error,
});

export interface OutboxRecord {
  effect_id: string;
  machine: string;
  id: string;
  seq: number;
  idx: number;
  effect: string;
  attempts: number;
  next_attempt_at: number;
  created_at: number;
  status: string;
  last_error: string | null;
}

export const toOutboxRow = (r: OutboxRecord): OutboxRow => ({
  machine: r.machine,
  id: r.id,
  effectId: r.effect_id,
  seq: r.seq,
  index: r.idx,
  effect: JSON.parse(r.effect) as OutboxEffect,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  createdAt: r.created_at,
  status: r.status as NonNullable<OutboxRow['status']>,
  lastError: r.last_error,
});

export interface AuditRecordRow {
  machine: string;
  id: string;
  position: number;
  transition_id: string;
  seq: number | null;
  actor: string | null;
  event_type: string;
  from_state: string | null;
  to_state: string | null;
  at: number;
  trace_id: string | null;
  outcome: string;
  reason: string | null;
}

export const toAuditRecord = (r: AuditRecordRow): AuditRecord => ({
  machine: r.machine,
  id: r.id,
  position: r.position,
  transitionId: r.transition_id,
  seq: r.seq,
  actor: fromNullableJson<Actor>(r.actor),
  eventType: r.event_type,
  from: fromNullableJson<StateValue>(r.from_state),
  to: fromNullableJson<StateValue>(r.to_state),
  at: r.at,
  traceId: r.trace_id,
  outcome: r.outcome as AuditOutcome,
  reason: r.reason,
});

export interface IdempotencyRecord {
  machine: string;
  id: string;
  key: string;
  fingerprint: string;
  seq: number;
  result: string | null;
  created_at: number;
}

export const toIdempotencyRow = (r: IdempotencyRecord): IdempotencyRow => ({
  machine: r.machine,
  id: r.id,
  key: r.key,
  fingerprint: r.fingerprint,
  seq: r.seq,
  result: fromJson(r.result),
  createdAt: r.created_at,
});

export interface EmitRecordRow {
  position: number;
  machine: string;
  id: string;
  seq: number;
  idx: number;
  effect_id: string;
  event: string;
  at: number;
}

export const toEmitRecord = (r: EmitRecordRow): EmitRecord => ({
  machine: r.machine,
  id: r.id,
  seq: r.seq,
  index: r.idx,
  effectId: r.effect_id,
  event: JSON.parse(r.event) as EmitRecord['event'],
  at: r.at,
  position: r.position,
});

export interface ApiKeyRecord {
  key_id: string;
  hash: string;
  name: string;
  subject: string;
  roles: string;
  created_at: number;
  revoked_at: number | null;
}

export const toApiKeyRow = (r: ApiKeyRecord): ApiKeyRow => ({
  keyId: r.key_id,
  hash: r.hash,
  name: r.name,
  subject: r.subject,
  roles: JSON.parse(r.roles) as string[],
  createdAt: r.created_at,
  revokedAt: r.revoked_at,
});

export interface MachineVersionRecord {
  machine: string;
  version: string;
  fingerprint: string;
  description: string;
  registered_at: number;
}

export const toMachineVersionRow = (r: MachineVersionRecord): MachineVersionRow => ({
  machine: r.machine,
  version: r.version,
  fingerprint: r.fingerprint,
  description: JSON.parse(r.description) as unknown,
  registeredAt: Number(r.registered_at),
});
