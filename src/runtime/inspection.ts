/**
 * The runtime's inspection seam: one typed stream of what the engine does.
 * The commit path, the group committer, the timer scheduler, the outbox
 * dispatcher and the emit subscribers announce their work here; everything
 * else — the effects runtime's in-memory dispatch, `onTransition` listeners,
 * logs, metrics, traces, live shadow runs, the inspector UI — observes it
 * instead of being called from the commit path. Announcing an event nobody
 * observes costs one `wants(type)` check.
 */
import type {
  AuditRow,
  EmitRecord,
  EventWrite,
  InstanceRow,
  OutboxRow,
  TimerRow,
} from '../store/types.js';
import type { ShadowDivergence } from './versioning/types.js';

/** Everything the engine announces; `at` is the engine clock's time of the announcement. */
export type InspectionEvent =
  /**
   * An accepted event was committed (creates included): its whole write, after
   * commit, and the instance row it replaced (absent for creates), so
   * observers can tell which state was left and how long it was held.
   */
  | {
      readonly type: 'transition.committed';
      readonly at: number;
      readonly write: EventWrite;
      readonly previous?: InstanceRow;
    }
  /** An event was refused and audited: `rejected_invalid`, `rejected_auth` or `rejected_error`. */
  | { readonly type: 'transition.rejected'; readonly at: number; readonly audit: AuditRow }
  /** An engine-internal delivery (timer, activity result) arrived after its state was left. */
  | { readonly type: 'transition.discarded'; readonly at: number; readonly audit: AuditRow }
  /** A group commit finished: how many writes it carried and how long the store took. */
  | {
      readonly type: 'commit.batch';
      readonly at: number;
      readonly size: number;
      readonly durationMs: number;
      readonly ok: boolean;
    }
  /** A due timer was handed to its instance; `lateMs` is how long after its due time. */
  | {
      readonly type: 'timer.fired';
      readonly at: number;
      readonly timer: TimerRow;
      readonly lateMs: number;
    }
  /** A timer's delivery failed: retried at `retryAt`, or dead-lettered. */
  | {
      readonly type: 'timer.failed';
      readonly at: number;
      readonly timer: TimerRow;
      readonly attempt: number;
      readonly error: unknown;
      readonly deadLettered: boolean;
    }
  /** An effect began an attempt (activity, custom action, send, child start/stop). */
  | {
      readonly type: 'effect.started';
      readonly at: number;
      readonly row: OutboxRow;
      readonly attempt: number;
    }
  /** An effect's attempt succeeded. */
  | {
      readonly type: 'effect.succeeded';
      readonly at: number;
      readonly row: OutboxRow;
      readonly attempt: number;
      readonly durationMs: number;
    }
  /** An effect's attempt failed: retried at `retryAt`, or dead-lettered. */
  | {
      readonly type: 'effect.failed';
      readonly at: number;
      readonly row: OutboxRow;
      readonly attempt: number;
      readonly error: unknown;
      readonly retryAt: number | undefined;
      readonly deadLettered: boolean;
    }
  /** A named subscriber handled an emit; `lagMs` is from its commit to now. */
  | {
      readonly type: 'emit.delivered';
      readonly at: number;
      readonly subscriber: string;
      readonly emit: EmitRecord;
      readonly lagMs: number;
    }
  /** An instance's rebuilt state disagreed with its stored row, or its events no longer replay. */
  | {
      readonly type: 'replay.diverged';
      readonly at: number;
      readonly machine: string;
      readonly id: string;
      readonly reason: string;
    }
  /** A live shadow run found an instance behaving differently on the candidate version. */
  | {
      readonly type: 'shadow.diverged';
      readonly at: number;
      readonly machine: string;
      readonly version: string;
      readonly candidate: string;
      readonly divergence: ShadowDivergence;
    }
  /** Something the engine could not tell a caller (a listener threw, a poller failed). */
  | {
      readonly type: 'log';
      readonly at: number;
      readonly level: 'warn' | 'error';
      readonly message: string;
      readonly error?: unknown;
    };

export type InspectionType = InspectionEvent['type'];
export type InspectionListener = (event: InspectionEvent) => void;

/** A listener with the event types it wants (all when omitted). */
export interface InspectionObserver {
  readonly listener: InspectionListener;
  readonly types?: readonly InspectionType[];
}

/**
 * The stream. Listeners are called synchronously, in subscription order; one
 * that throws is reported as a `log` event and kept. A listener may name the
 * event types it wants: the others are neither built nor delivered to it.
 */
export class Inspector {
  readonly #all = new Set<InspectionListener>();
  readonly #byType = new Map<InspectionType, Set<InspectionListener>>();

  /** True when someone observes events of `type`: check it before building one that costs anything. */
  wants(type: InspectionType): boolean {
    return this.#all.size > 0 || (this.#byType.get(type)?.size ?? 0) > 0;
  }

  /**
   * Observes every event from now on, or only those of `types`; returns the
   * function that stops it.
   */
  subscribe(listener: InspectionListener, types?: readonly InspectionType[]): () => void {
    if (types === undefined) {
      this.#all.add(listener);
      return () => {
        this.#all.delete(listener);
      };
    }
    for (const type of types) {
      const set = this.#byType.get(type) ?? new Set<InspectionListener>();
      set.add(listener);
      this.#byType.set(type, set);
    }
    return () => {
      for (const type of types) this.#byType.get(type)?.delete(listener);
    };
  }

  emit(event: InspectionEvent): void {
    const typed = this.#byType.get(event.type);
    if (typed !== undefined) for (const listener of typed) this.#call(listener, event);
    for (const listener of this.#all) this.#call(listener, event);
  }

  /** Shorthand for a `log` event. */
  log(at: number, level: 'warn' | 'error', message: string, error?: unknown): void {
    if (!this.wants('log')) return;
    this.emit({ type: 'log', at, level, message, ...(error !== undefined && { error }) });
  }

  #call(listener: InspectionListener, event: InspectionEvent): void {
    try {
      listener(event);
    } catch (error) {
      if (event.type === 'log') return; // a failing logger must not loop
      this.log(event.at, 'error', `an inspection listener threw on ${event.type}`, error);
    }
  }
}

/** The engine's default logger of `log` events: `console.warn`, prefixed `stator:`. */
export function consoleLog(message: string, error?: unknown): void {
  console.warn(`stator: ${message}`, error ?? '');
}
