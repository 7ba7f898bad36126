import type {
  AnyStateMachine,
  ContextFrom,
  EventFromLogic,
  EventObject,
  InputFrom,
  StateValue,
} from 'xstate';
import type { Assessment } from '../analysis/assess.js';
import type { StateMapping } from '../core/migrate.js';
import type { Actor, Clock, InstanceStatus } from '../core/types.js';
import type {
  AuditRecord,
  EmitRecord,
  EventRow,
  InstanceRow,
  OutboxRow,
  Store,
  TimerRow,
} from '../store/types.js';
import type {
  EffectsOptions,
  EmitHandler,
  SubscribeOptions,
  Subscription,
} from './effects/types.js';
import type { InspectionListener, InspectionObserver, InspectionType } from './inspection.js';
import type { TransitionTracer } from './trace-hook.js';
import type { LiveShadowStats, ShadowOptions, ShadowReport } from './versioning/types.js';

export type {
  TransitionTrace,
  TransitionTraceRequest,
  TransitionTracer,
} from './trace-hook.js';
export type {
  LiveShadowStats,
  ShadowDivergence,
  ShadowOptions,
  ShadowReport,
  StepSignature,
} from './versioning/types.js';

/** When to write a full snapshot beside the event (recovery = snapshot + later events). */
export interface SnapshotPolicy {
  /** Every N events (seq divisible by N). Default 100; 0 turns it off. */
  readonly every?: number;
  /** On entering any of these state node ids (`order.paid`, or a custom `#id` without `#`). */
  readonly states?: readonly string[];
}

/**
 * A Standard Schema (https://standardschema.dev) validator, as zod, valibot and
 * arktype implement it. Only the part Stator calls is spelled out.
 */
export interface StandardSchema<Output = unknown> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (value: unknown) => StandardResult<Output> | Promise<StandardResult<Output>>;
  };
}

export type StandardResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | {
      readonly issues: ReadonlyArray<{
        readonly message: string;
        readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
      }>;
    };

/** A machine to register, optionally with an explicit version (default `"1"`). */
export interface MachineRegistration {
  readonly machine: AnyStateMachine;
  readonly version?: string;
  readonly snapshot?: SnapshotPolicy;
  /**
   * Schemas for event payloads by event type: a send whose event fails its
   * schema is VALIDATION_FAILED (with the issues) and nothing is recorded.
   * `input` validates the create input.
   */
  readonly schemas?: PayloadSchemas;
  /**
   * The definition changed but is compatible with the instances running this
   * version: the engine replaces the stored fingerprint instead of refusing to
   * start with VERSION_CHANGED — only when the change blocks no live instance
   * and is not risky for one (see `stator diff`).
   */
  readonly compatible?: boolean;
  /**
   * What a send of an event the current state does not take gets. `'reject'`
   * (the default): EVENT_NOT_ACCEPTED (or EVENT_UNKNOWN for a type no state
   * handles), recorded in the audit log as `rejected_invalid`. `'ignore'`:
   * XState's own semantics, for machines migrated from XState that rely on
   * it: the event is recorded in the audit log as `discarded` and the send
   * succeeds without a change (same seq, same state).
   */
  readonly unacceptedEvents?: 'reject' | 'ignore';
}

/** Payload schemas of one machine: per event type, and for the create input. */
export interface PayloadSchemas {
  readonly events?: Readonly<Record<string, StandardSchema>>;
  readonly input?: StandardSchema;
}

/** One registered machine version, as the engine runs it. */
export interface MachineDefinition {
  readonly name: string;
  readonly version: string;
  readonly machine: AnyStateMachine;
  readonly schemas: PayloadSchemas;
}

/** What an authorization hook sees: who sends what to which instance in which state. */
export interface AuthorizationRequest {
  readonly machine: string;
  readonly id: string;
  /** `xstate.init` for creates. */
  readonly event: { readonly type: string; readonly [key: string]: unknown };
  readonly actor: Actor | null;
  /** The instance's current state; undefined for creates. */
  readonly state: InstanceState | undefined;
  /**
   * True when the request repeats an idempotency key this actor used before on
   * this instance: allowing it returns the recorded result, applying nothing.
   * (The module policies then check the roles only: the guard was decided
   * against the state the original request met, which has moved on since.)
   */
  readonly duplicate: boolean;
}

/** `true` to allow; a string is the reason for the denial (FORBIDDEN, audited as rejected_auth). */
export type AuthorizationDecision = true | string;

/** What `admit` sees: who sends which event type to which instance, and nothing about the instance. */
export interface AdmissionRequest {
  readonly machine: string;
  readonly id: string;
  /** `xstate.init` for creates. */
  readonly eventType: string;
  readonly actor: Actor | null;
}

/**
 * Per-event authorization in two steps, so that a caller without the right
 * learns nothing but the denial: `admit` runs first, before the instance is
 * read, its payload validated or an idempotency key looked up (typically:
 * roles); `decide` then runs with the instance's current state (typically:
 * guards on it). A denial by either is FORBIDDEN, audited as `rejected_auth`.
 */
export interface Authorizer {
  readonly admit?: (request: AdmissionRequest) => AuthorizationDecision;
  readonly decide?: (request: AuthorizationRequest) => AuthorizationDecision;
}

export interface EngineOptions extends EffectsOptions {
  /**
   * Where the engine's log lines go (a poller that failed, a listener that
   * threw, a send that had no target): the inspection stream's `log` events.
   * Default `console.warn`.
   */
  readonly log?: (message: string, error?: unknown) => void;
  /**
   * Inspection listeners subscribed before the engine opens its store, so they
   * see everything from the first event: timers fired and effects resumed at
   * start-up included, and each commit before the effects it causes. (Those
   * subscribed later with `engine.inspect` see what happens from then on.)
   */
  readonly observers?: readonly InspectionObserver[];
  readonly store: Store;
  readonly machines: readonly (AnyStateMachine | MachineRegistration)[];
  /** Source of recorded event times. Default: the system clock. */
  readonly clock?: Clock;
  /**
   * How instances move between versions: per machine, from and to version, a
   * state mapping and an optional pure context transform (engine.migrate).
   */
  readonly migrations?: readonly MigrationDeclaration[];
  /**
   * The share of new instances each version gets (`{ order: { '2': 0.1 } }`),
   * by a stable hash of the instance id; the others start on the newest
   * version the rollout does not name. Without it, new instances start on the
   * newest registered version.
   */
  readonly rollout?: Rollout;
  /**
   * Live shadow runs (`{ order: '2' }`): every event an instance of the
   * machine commits on another version is stepped, after the commit and off
   * its path, on this candidate too (pure step only: nothing is written or
   * run), and a difference in state, context or effects is announced as a
   * `shadow.diverged` inspection event and logged. A shadow version gets no
   * new instances unless the rollout gives it a share.
   */
  readonly shadow?: Readonly<Record<string, string>>;
  /** Default snapshot policy for machines that set none. */
  readonly snapshot?: SnapshotPolicy;
  /** Instances kept in memory between events (LRU). Default 10,000. */
  readonly cacheSize?: number;
  /** Most writes in one group commit. Default 256. */
  readonly maxBatch?: number;
  /**
   * Group commits in flight at once: the next batch is written while earlier ones
   * wait for their flush (fsync, or PostgreSQL's commit). Default 4; 1 commits
   * strictly one batch after another.
   */
  readonly commitsInFlight?: number;
  /**
   * How long the writes of a failed commit are looked for and retried before
   * the caller hears (COMMIT_OUTCOME_UNKNOWN when the store could not tell
   * whether they were kept). Default 5000 ms.
   */
  readonly commitSettleMs?: number;
  /**
   * Per-event authorization, evaluated inside the instance's mailbox against
   * its current state, for events sent from outside (not timers or activity
   * results). A denial throws FORBIDDEN and writes a `rejected_auth` audit row.
   */
  readonly authorize?: Authorizer | ((request: AuthorizationRequest) => AuthorizationDecision);
  /**
   * Chooses the W3C trace context stored with each transition before it is
   * committed, and hears when it settled (the OpenTelemetry tracing of
   * `stator`'s `createEngine` is one). Default none: the caller's context is
   * stored as given.
   */
  readonly tracer?: TransitionTracer;
}

/**
 * Where an instance is now: its row without the internal parent link.
 * `TContext` is the machine's context type when the machine itself is passed
 * to `engine.get(orderMachine, id)` (`unknown` for a machine name). The
 * context is stored as JSON: values JSON cannot hold (a `Date`, a `Map`)
 * come back in their JSON form whatever the type says.
 */
export type InstanceState<TContext = unknown> = Omit<InstanceRow, 'parent' | 'context'> & {
  readonly context: TContext;
};

/** A machine as the engine's commands take it: its name, or the machine itself (typed results). */
export type MachineRef = string | AnyStateMachine;

/** The context type of a `MachineRef`: the machine's own, or `unknown` for a name. */
export type ContextOf<M extends MachineRef> = M extends AnyStateMachine ? ContextFrom<M> : unknown;

/** The events a `MachineRef` takes: the machine's own union, or any `{ type }` for a name. */
export type EventOf<M extends MachineRef> = M extends AnyStateMachine
  ? EventFromLogic<M>
  : { readonly type: string; readonly [key: string]: unknown };

/** The input type of a `MachineRef`: the machine's own, or `unknown` for a name. */
export type InputOf<M extends MachineRef> = M extends AnyStateMachine ? InputFrom<M> : unknown;

/** The outcome of `create` or `send`: the committed state, or the recorded one for a repeated key. */
export interface CommandResult<TContext = unknown> extends InstanceState<TContext> {
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

export interface CreateOptions<TInput = unknown> extends CommandOptions {
  readonly input?: TInput;
}

export interface HistoryOptions {
  /** Events with seq greater than this. Default 0. */
  readonly after?: number;
  /** At most this many (default 100, max 1000). */
  readonly limit?: number;
  /**
   * History only: at most this many bytes of event payload (JSON, UTF-8) in
   * the page, though always one event. Default 4 MiB; `next` says where to
   * read on.
   */
  readonly maxBytes?: number;
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

export interface ListOptions {
  /** A state path (`paid`, `paid.packed`): instances in that state or one of its substates. */
  readonly state?: string;
  readonly status?: InstanceStatus;
  /** Only instances that have been in their current state at least this long (ms). */
  readonly minTimeInState?: number;
  /** Only instances whose id starts with this. */
  readonly idPrefix?: string;
  /** Only instances running this machine version. */
  readonly version?: string;
  /** Cursor from the previous page. */
  readonly cursor?: string;
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

export interface InstancePage {
  readonly instances: InstanceState[];
  /** Pass as `cursor` to read on; null at the end. */
  readonly next: string | null;
}

/** One committed transition, as told to in-process listeners right after commit. */
export interface CommittedTransition {
  readonly event: EventRow;
  readonly state: InstanceState;
}

export interface DeadLetters {
  readonly timers: TimerRow[];
  readonly effects: OutboxRow[];
}

export type DeadLetterRef =
  | {
      readonly kind: 'timer';
      readonly machine: string;
      readonly id: string;
      readonly timerId: string;
    }
  | { readonly kind: 'effect'; readonly effectId: string };

/** A timer that was pending after the event: set by a step and not yet fired or cancelled. */
export interface PastTimer {
  readonly timerId: string;
  readonly dueAt: number;
  /** The seq of the event whose step set it. */
  readonly setBySeq: number;
  readonly event: EventObject;
  readonly target: string;
}

/** An activity that was running after the event: started and not yet finished or stopped. */
export interface PastActivity {
  readonly activityId: string;
  readonly src: string;
  readonly startedBySeq: number;
}

/** An instance as it was right after the event at `seq`, rebuilt by replay. */
export interface PastState {
  readonly machine: string;
  readonly id: string;
  readonly seq: number;
  readonly version: string;
  readonly value: StateValue;
  readonly context: unknown;
  readonly status: InstanceStatus;
  /** When the instance entered `value` (the recorded time of the event that moved it there). */
  readonly stateEnteredAt: number;
  /** The event at `seq`. */
  readonly event: Pick<EventRow, 'seq' | 'type' | 'recordedAt' | 'actor'>;
  readonly timers: readonly PastTimer[];
  readonly activities: readonly PastActivity[];
}

/** What an instance waits for: its timers and its unfinished effects. */
export interface PendingWork {
  /** Pending timers by due time (dead ones too: `status: 'dead'`). */
  readonly timers: TimerRow[];
  /**
   * Effects not finished yet, in (seq, index) order: activities running or
   * waiting for their next attempt (`attempts`, `lastError`, `nextAttemptAt`),
   * actions and sends not yet run, dead-lettered ones (`status: 'dead'`).
   */
  readonly effects: OutboxRow[];
}

export interface StopOptions extends CommandOptions {
  /** Why: recorded in the `xstate.stop` event's payload. */
  readonly reason?: string;
}

export interface EmitReadOptions {
  /** Emits with a greater position. Default 0. */
  readonly after?: number;
  /** Default 100, at most 1000. */
  readonly limit?: number;
}

export interface EmitPage {
  readonly emits: EmitRecord[];
  /** Pass as `after` to read on; null when this page reached the end of the log (for now). */
  readonly next: number | null;
}

export interface Engine {
  /**
   * Creates an instance of the machine's newest version and commits its initial
   * state. `machine` is the machine's name, or the machine itself: then the
   * input, and the result's context, have the machine's types.
   */
  create<M extends MachineRef>(
    machine: M,
    id: string,
    options?: CreateOptions<InputOf<M>>,
  ): Promise<CommandResult<ContextOf<M>>>;
  /**
   * Applies an event; resolves after it is committed. Given the machine itself
   * (`engine.send(orderMachine, id, { type: 'Pay' })`), the event and the
   * result's context have the machine's types.
   */
  send<M extends MachineRef>(
    machine: M,
    id: string,
    event: EventOf<M>,
    options?: CommandOptions,
  ): Promise<CommandResult<ContextOf<M>>>;
  /** The instance now; `engine.get(orderMachine, id)` types its context as the machine's. */
  get<M extends MachineRef>(machine: M, id: string): Promise<InstanceState<ContextOf<M>>>;
  history(machine: string, id: string, options?: HistoryOptions): Promise<HistoryPage>;
  audit(machine: string, id: string, options?: HistoryOptions): Promise<AuditPage>;
  /** Writes a snapshot of the instance's current state now (manual strategy). */
  snapshot(machine: string, id: string): Promise<{ seq: number }>;
  /** Rebuilds the state from the event log alone (no snapshot, no effects). */
  replay(
    machine: string,
    id: string,
  ): Promise<Pick<InstanceState, 'value' | 'context' | 'status' | 'seq'>>;
  /**
   * The instance as it was right after the event at `seq`, rebuilt by the pure
   * step from its history (across recorded migrations) with pending timers and
   * running activities; no effect runs, nothing is written. VALIDATION_FAILED
   * for a seq past the history's end.
   */
  stateAt(machine: string, id: string, seq: number): Promise<PastState>;
  /** Instances of a machine by state, status and time in state. */
  list(machine: string, options?: ListOptions): Promise<InstancePage>;
  /**
   * Calls `listener` after every committed transition (creates included), in
   * commit order, in this process. Returns the function that stops it. A
   * listener that throws is logged and kept.
   */
  onTransition(listener: (t: CommittedTransition) => void): () => void;
  /**
   * Observes everything the engine does (commits, rejections, timers, effects,
   * emits, commit batches, divergences, log lines), as typed inspection events,
   * synchronously and in order, in this process. Returns the function that
   * stops it. Metrics, traces and logs are built on it.
   */
  inspect(listener: InspectionListener, types?: readonly InspectionType[]): () => void;
  /**
   * Delivers every `emit(...)`ed event, in commit order, at least once, to the
   * named subscriber. Its cursor is stored: after a restart, subscribing under
   * the same name resumes after the last emit it handled.
   */
  subscribe(name: string, handler: EmitHandler, options?: SubscribeOptions): Subscription;
  /** Timers and effects that failed their last retry: kept for inspection and retry by hand. */
  deadLetters(limit?: number): Promise<DeadLetters>;
  /** Puts a dead timer or effect back in line, due now. False when there is no such dead letter. */
  retryDeadLetter(letter: DeadLetterRef): Promise<boolean>;
  /** One dead letter, or undefined when there is none (retried, discarded, never failed). */
  deadLetter(letter: DeadLetterRef): Promise<TimerRow | OutboxRow | undefined>;
  /**
   * Deletes a dead letter for good, with an audit row on its instance
   * (`stator.dead-letter.discarded`, outcome `discarded`, by `actor`). False
   * when there is no such dead letter.
   */
  discardDeadLetter(letter: DeadLetterRef, options?: { readonly actor?: Actor }): Promise<boolean>;
  /** What an instance waits for: pending timers, and activities and actions not finished. */
  pending(machine: string, id: string): Promise<PendingWork>;
  /**
   * Stops an instance (an operator's cancel): `xstate.stop` in its history,
   * its activities stopped and its timers deleted; afterwards it is `stopped`
   * and accepts no events. Authorized as an event of type `xstate.stop` (the
   * module policies' `operate` rule). INSTANCE_DONE when it is not active.
   */
  stop(machine: string, id: string, options?: StopOptions): Promise<CommandResult>;
  /**
   * Runs an effect that failed and waits for its next retry (an activity
   * between attempts) now. EFFECT_NOT_FOUND / EFFECT_NOT_WAITING otherwise.
   */
  retryEffect(machine: string, id: string, effectId: string): Promise<OutboxRow>;
  /** The store-wide emit log, in commit order, paged by position. */
  emits(options?: EmitReadOptions): Promise<EmitPage>;
  /** A named subscriber's durable cursor: the last position it handled (0 when new). */
  emitCursor(name: string): Promise<number>;
  /** Moves a named subscriber's cursor (acknowledging emits up to `position`, or rewinding). */
  setEmitCursor(name: string, position: number): Promise<void>;
  /**
   * Moves an instance to another version of its machine (`stator.migrated` in
   * its history): by the declared migration's state mapping and context
   * transform, or keeping its state paths. Timers and activities of left
   * states are cancelled, those of entered states set. `dryRun` commits
   * nothing. An instance on the target version already is left alone.
   */
  migrate(machine: string, id: string, options: MigrateOptions): Promise<MigrationResult>;
  /** Every version of a machine the store knows, with its live instances and fingerprint. */
  versions(machine: string): Promise<VersionInfo[]>;
  /** What moving the instances of `from` to `to` does to them (see `stator diff`). */
  assessMigration(machine: string, from: string, to: string): Promise<Assessment>;
  /**
   * Replays recorded histories on `candidate` beside the versions that ran
   * them and reports where they first differ (nothing is written or run).
   * Zero divergences is the evidence that moving instances is safe.
   */
  shadow(machine: string, candidate: string, options?: ShadowOptions): Promise<ShadowReport>;
  /** Live shadow runs configured with the `shadow` option, and what they found. */
  shadowStats(): LiveShadowStats[];
  /** Registered machines and their versions. */
  machines(): { name: string; versions: string[]; latest: string }[];
  /** The registered XState machine (newest version unless `version` is given). MACHINE_NOT_FOUND otherwise. */
  getMachine(name: string, version?: string): AnyStateMachine;
  /** The registered version (newest unless `version` is given): its machine and payload schemas. */
  definition(name: string, version?: string): MachineDefinition;
  /**
   * Whether the engine can commit now: false while its last commit failed (until
   * one succeeds again) or when a small probe write to the store fails (disk
   * full, database unreachable or read-only). Probes at most once a second.
   */
  ready(): Promise<{ readonly ready: true } | { readonly ready: false; readonly reason: string }>;
  /** Waits for in-flight work, then closes the store. */
  close(): Promise<void>;
}

// ---- machine versions ----

/** How instances of one machine move from one version to another. */
export interface MigrationDeclaration {
  readonly machine: string;
  readonly from: string;
  readonly to: string;
  /**
   * Old state path → new state path (nested and parallel paths allowed:
   * `{ paused: 'onHold', 'paid.packed': 'paid.ready' }`). States not named keep
   * their path, which the new version must have.
   */
  readonly states?: StateMapping;
  /** A pure transform of the context (no I/O, no clock: it runs once, at the migration). */
  readonly context?: (
    context: unknown,
    info: { readonly from: string; readonly to: string },
  ) => unknown;
}

export interface MigrateOptions extends CommandOptions {
  /** The version to move to. */
  readonly to: string;
  /** Work out the move (state, effects) without committing it. */
  readonly dryRun?: boolean;
}

/** What a migration did, or would do. */
export interface MigrationResult extends CommandResult {
  /** False when the instance was on the target version already (or, dry run, nothing committed). */
  readonly migrated: boolean;
  readonly from: string;
  /** Timers and activities the move cancels and starts. */
  readonly effects: readonly { readonly kind: string; readonly id: string }[];
}

/** One version of a machine, as operators see it. */
export interface VersionInfo {
  readonly version: string;
  readonly fingerprint: string;
  readonly registeredAt: number;
  /** Registered in this engine (else only known to the store). */
  readonly registered: boolean;
  /** The version new instances start on when there is no rollout. */
  readonly latest: boolean;
  /** Its rollout share of new instances, when a rollout names it. */
  readonly share?: number;
  /** Live (active) instances, in all and by state key. */
  readonly live: { readonly total: number; readonly states: Readonly<Record<string, number>> };
  /** No live instance: it can be unregistered. */
  readonly retirable: boolean;
}

/** Per machine: version → share of new instances (0 to 1). */
export type Rollout = Readonly<Record<string, Readonly<Record<string, number>>>>;
