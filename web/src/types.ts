/**
 * Shapes of the HTTP API as the inspector reads them (see /openapi.json).
 * Declared here, not imported from the server: the UI knows the API only.
 */

export type InstanceStatus = 'active' | 'done' | 'error' | 'stopped';
export const STATUSES: readonly InstanceStatus[] = ['active', 'done', 'error', 'stopped'];

export type StateValue = string | { readonly [key: string]: StateValue };

export interface Actor {
  readonly id: string;
  readonly roles?: readonly string[];
  readonly [key: string]: unknown;
}

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

export interface CommandResult extends InstanceState {
  readonly duplicate: boolean;
}

export interface EventRow {
  readonly machine: string;
  readonly id: string;
  readonly seq: number;
  readonly type: string;
  readonly payload: Readonly<Record<string, unknown>>;
  readonly actor: Actor | null;
  readonly recordedAt: number;
  readonly idempotencyKey: string | null;
  readonly traceContext: Readonly<Record<string, string>> | null;
}

export interface InstancePage {
  readonly instances: readonly InstanceState[];
  readonly next: string | null;
}

export interface HistoryPage {
  readonly events: readonly EventRow[];
  readonly next: number | null;
}

export interface MachineSummary {
  readonly name: string;
  readonly versions: readonly string[];
  readonly latest: string;
  /** Transitions this server committed in the last minute (machine lists only). */
  readonly transitionsPerMinute?: number;
}

export interface MachineDetail extends MachineSummary {
  readonly events: readonly string[];
  readonly schemas: {
    readonly events: Readonly<Record<string, JsonSchema>>;
    readonly input?: JsonSchema;
  };
  readonly graph: string;
  readonly chart: Chart;
}

/** One SSE `transition` message of the watch stream. */
export interface WatchMessage {
  readonly event: EventRow;
  readonly state: InstanceState | null;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly instance?: string;
  readonly details?: Readonly<Record<string, unknown>>;
}

/** The subset of JSON Schema the zod-generated event schemas use. */
export interface JsonSchema {
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
  readonly format?: string;
  readonly description?: string;
  readonly title?: string;
  readonly default?: unknown;
}

// The chart JSON of GET /v1/machines/{machine} (`chart`).

export type ChartStateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface ChartState {
  readonly id: string;
  readonly key: string;
  readonly path: readonly string[];
  readonly type: ChartStateType;
  readonly history?: 'shallow' | 'deep';
  readonly initial?: string;
  readonly entry: readonly string[];
  readonly exit: readonly string[];
  readonly invokes: readonly { readonly id: string; readonly src: string }[];
  readonly tags: readonly string[];
  readonly description?: string;
  readonly children: readonly ChartState[];
}

export type ChartTransitionKind = 'event' | 'after' | 'always' | 'done' | 'error' | 'done.state';

export interface ChartTransition {
  readonly id: string;
  readonly source: string;
  readonly targets: readonly string[];
  readonly kind: ChartTransitionKind;
  readonly event: string;
  readonly label: string;
  readonly guard?: string;
  readonly delay?: { readonly name?: string; readonly ms?: number };
  readonly invoke?: string;
  readonly reenter: boolean;
  readonly internal: boolean;
  readonly actions: readonly string[];
}

export interface Chart {
  readonly machine: string;
  readonly root: ChartState;
  readonly transitions: readonly ChartTransition[];
}

/** GET …/instances/{id}/state?seq=N: the instance as it was right after event N. */
export interface PastState {
  readonly machine: string;
  readonly id: string;
  readonly seq: number;
  readonly version: string;
  readonly value: StateValue;
  readonly context: unknown;
  readonly status: InstanceStatus;
  readonly stateEnteredAt: number;
  readonly event: {
    readonly seq: number;
    readonly type: string;
    readonly recordedAt: number;
    readonly actor: Actor | null;
  };
  readonly timers: readonly PendingTimer[];
  readonly activities: readonly {
    readonly activityId: string;
    readonly src: string;
    readonly startedBySeq: number;
  }[];
}

export interface PendingTimer {
  readonly timerId: string;
  readonly dueAt: number;
  readonly setBySeq: number;
  readonly event: { readonly type: string };
  readonly target: string;
}

/** `true` when allowed, else why not. */
export type Decision = true | string;

export interface MachineAccess {
  readonly machine: string;
  readonly read: Decision;
  readonly create: Decision;
  readonly migrate: Decision;
  /** Stop, run effects now, retry and discard dead letters. */
  readonly operate?: Decision;
  readonly events: Readonly<Record<string, Decision>>;
}

/** GET /v1/whoami. */
export interface WhoAmI {
  readonly authenticated: boolean;
  readonly enforced: boolean;
  readonly actor: Actor | null;
  readonly machines: readonly MachineAccess[];
}

/** GET …/instances/{id}/permissions: roles and guards on the current state. */
export interface InstanceAccess {
  readonly machine: string;
  readonly id: string;
  readonly seq: number;
  readonly migrate: Decision;
  readonly events: Readonly<Record<string, Decision>>;
}

/** One version of a machine in GET /v1/machines/{m}/versions. */
export interface VersionInfo {
  readonly version: string;
  readonly fingerprint: string;
  readonly registeredAt: number;
  readonly registered: boolean;
  readonly latest: boolean;
  readonly share?: number;
  readonly live: { readonly total: number; readonly states: Readonly<Record<string, number>> };
  readonly retirable: boolean;
}

export interface VersionList {
  readonly machine: string;
  readonly versions: readonly VersionInfo[];
  readonly shadow?: {
    readonly candidate: string;
    readonly compared: number;
    readonly diverged: number;
    readonly skipped: number;
  };
}

/** POST …/instances/{id}/migrate. */
export interface MigrationResult extends CommandResult {
  readonly migrated: boolean;
  readonly from: string;
  readonly effects: readonly { readonly kind: string; readonly id: string }[];
}

/** A dead timer or effect (GET /v1/dead-letters). */
export interface DeadLetter {
  readonly kind: 'timer' | 'effect';
  readonly machine: string;
  readonly id: string;
  /** Its path under /v1/dead-letters (POST `${ref}/retry`, `${ref}/discard`). */
  readonly ref: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly timer?: { readonly timerId: string; readonly event: { readonly type: string } };
  readonly effect?: {
    readonly effectId: string;
    readonly effect: { readonly kind: string; readonly type?: string; readonly src?: string };
  };
}

/** GET …/instances/{id}/pending. */
export interface PendingWork {
  readonly timers: readonly (PendingTimer & { readonly status?: 'pending' | 'dead' })[];
  readonly effects: readonly {
    readonly effectId: string;
    readonly seq: number;
    readonly effect: {
      readonly kind: string;
      readonly type?: string;
      readonly src?: string;
      readonly activityId?: string;
    };
    readonly attempts: number;
    readonly nextAttemptAt: number;
    readonly status?: 'pending' | 'started' | 'dead';
    readonly lastError?: string | null;
  }[];
}

/** One row of GET …/instances/{id}/audit. */
export interface AuditEntry {
  readonly position: number;
  readonly seq: number | null;
  readonly actor: Actor | null;
  readonly eventType: string;
  readonly at: number;
  readonly outcome:
    | 'applied'
    | 'rejected_invalid'
    | 'rejected_auth'
    | 'rejected_error'
    | 'duplicate'
    | 'discarded';
  readonly reason: string | null;
}
