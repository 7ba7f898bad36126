import type { Clock } from '../core/types.js';
import type { Store } from '../store/types.js';
import type { DenialLimiter, Gate } from './authorization.js';
import type { GroupCommitter } from './group-commit.js';
import type { Inspector } from './inspection.js';
import type { InstanceCache } from './instance-cache.js';
import type { MachineRegistry } from './registry.js';
import type { TransitionTracer } from './trace-hook.js';
import type { VersionChooser } from './versioning/rollout.js';

/**
 * What the commit path works with: one engine's store, machines, committer,
 * cache, clock and authorization, and the inspector it announces its work to.
 * Everything that reacts to commits (in-memory effect dispatch, listeners,
 * observability) observes the inspector; nothing is called from here.
 */
export interface RuntimeContext {
  readonly store: Store;
  readonly registry: MachineRegistry;
  readonly committer: GroupCommitter;
  readonly cache: InstanceCache;
  readonly clock: Clock;
  /** Per-event authorization, when the engine has any. */
  readonly gate: Gate | undefined;
  /** Which denials get an audit row (bounded per actor). */
  readonly denials: DenialLimiter;
  readonly inspector: Inspector;
  /** The version a new instance starts on (the newest, or by rollout). */
  readonly versions: VersionChooser;
  /** The lease new outbox rows are written with, when this process dispatches them itself. */
  readonly outboxLease: (now: number) => OutboxLease | undefined;
  /** Chooses the trace context stored with each transition (see trace-hook.ts), when tracing. */
  readonly tracer?: TransitionTracer | undefined;
}

export interface OutboxLease {
  readonly owner: string;
  readonly until: number;
}
