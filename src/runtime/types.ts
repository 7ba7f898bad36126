import type { AnyStateMachine } from 'xstate';
import type { Actor, Clock, InstanceStatus, StateValue } from '../core/types.js';
import type { AuditRecord, EventRow, Store } from '../store/types.js';

/** When to write a full snapshot beside the event (recovery = snapshot + later events). */
export interface SnapshotPolicy {
  /** Every N events (seq divisible by N). Default 100; 0 turns it off. */
  readonly every?: number;
  /** On entering any of these state node ids (`order.paid`, or a custom `#id` without `#`). */
  readonly states?: readonly string[];
}

/** A machine to register, optionally with an explicit version (default `"1"`). */
export interface MachineRegistration {
  readonly machine: AnyStateMachine;
  readonly version?: string;
  readonly snapshot?: SnapshotPolicy;
}

export interface EngineOptions {
  readonly store: Store;
  readonly machines: readonly (AnyStateMachine | MachineRegistration)[];
  /** Source of recorded event times. Default: the system clock. */
  readonly clock?: Clock;
  /** Default snapshot policy for machines that set none. */
  readonly snapshot?: SnapshotPolicy;
  /** Instances kept in memory between events (LRU). Default 10,000. */
  readonly cacheSize?: number;
  /** Most writes in one group commit. Default 256. */
  readonly maxBatch?: number;
}

/** Where an instance is now. */
export interface InstanceState {
  readonly machine: string;
  readonly id: string;
  readonly version: string;
  readonly value: StateValue;
  readonly context: unknown;
  readonly status: InstanceStatus;
  readonly seq: number;
  readonly stateEnteredAt: number;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** The outcome of `create` or `send`: the committed state, or the recorded one for a repeated key. */
export interface CommandResult extends InstanceState {
  /** True when this answer is the recorded result of an earlier request with the same idempotency key. */
  readonly duplicate: boolean;
}

export interface CommandOptions {
  /** Same key on the same instance returns the recorded result; nothing is applied twice. */
  readonly idempotencyKey?: string;
  /** Recorded with the event and in the audit log. */
  readonly actor?: Actor;
  /** W3C trace context (`traceparent`, `tracestate`), stored with the event. */
  readonly traceContext?: Readonly<Record<string, string>>;
}

export interface CreateOptions extends CommandOptions {
  readonly input?: unknown;
}

export interface HistoryOptions {
  /** Events with seq greater than this. Default 0. */
  readonly after?: number;
  /** At most this many (default 100, max 1000). */
  readonly limit?: number;
}

export interface HistoryPage {
  readonly events: EventRow[];
  /** Pass as `after` to read on; null when this page reached the end. */
  readonly next: number | null;
}

export interface AuditPage {
  readonly entries: AuditRecord[];
  readonly next: number | null;
}

export interface Engine {
  /** Creates an instance of the machine's newest version and commits its initial state. */
  create(machine: string, id: string, options?: CreateOptions): Promise<CommandResult>;
  /** Applies an event; resolves after it is committed. */
  send(
    machine: string,
    id: string,
    event: { readonly type: string; readonly [key: string]: unknown },
    options?: CommandOptions,
  ): Promise<CommandResult>;
  get(machine: string, id: string): Promise<InstanceState>;
  history(machine: string, id: string, options?: HistoryOptions): Promise<HistoryPage>;
  audit(machine: string, id: string, options?: HistoryOptions): Promise<AuditPage>;
  /** Writes a snapshot of the instance's current state now (manual strategy). */
  snapshot(machine: string, id: string): Promise<{ seq: number }>;
  /** Rebuilds the state from the event log alone (no snapshot, no effects). */
  replay(
    machine: string,
    id: string,
  ): Promise<Pick<InstanceState, 'value' | 'context' | 'status' | 'seq'>>;
  /** Registered machines and their versions. */
  machines(): { name: string; versions: string[]; latest: string }[];
  /** Waits for in-flight work, then closes the store. */
  close(): Promise<void>;
}
