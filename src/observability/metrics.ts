/**
 * Prometheus metrics of one engine, built only from its inspection events and
 * a few grouped store queries on an interval: the commit path does not know
 * they exist. Every series is per machine (and state, event, effect name, …),
 * never per instance.
 */
import { Counter, exponentialBuckets, Gauge, Histogram, Registry } from 'prom-client';
import type { InspectionEvent, InspectionType } from '../runtime/inspection.js';
import { stateKey } from '../store/state-key.js';
import type { OutboxRow } from '../store/types.js';
import { LabelGuard } from './label-guard.js';

export interface MetricsOptions {
  /**
   * Buckets of `stator_state_duration_seconds`, in seconds. Default: 12
   * exponential buckets from 0.1 s by a factor of 4 (0.1 s … ~4.9 days, then +Inf).
   */
  readonly stateDurationBuckets?: readonly number[];
  /** Buckets of `stator_timer_lateness_seconds`. Default: 0.01 s by 4, 10 buckets (~43 min). */
  readonly timerLatenessBuckets?: readonly number[];
  /** How often instance counts, ages and pending work are read from the store. Default 15 s. */
  readonly refreshMs?: number;
  /** Distinct event types per machine in `stator_transitions_total` before the rest count as `_other`. Default 200. */
  readonly maxEventTypes?: number;
  /** Labels added to every series (`{ service: 'orders' }`). */
  readonly defaultLabels?: Readonly<Record<string, string>>;
}

export const DEFAULT_STATE_DURATION_BUCKETS = exponentialBuckets(0.1, 4, 12);
export const DEFAULT_TIMER_LATENESS_BUCKETS = exponentialBuckets(0.01, 4, 10);
const COMMIT_DURATION_BUCKETS = exponentialBuckets(0.0005, 2, 14);
const BATCH_SIZE_BUCKETS = exponentialBuckets(1, 2, 10);
const EFFECT_DURATION_BUCKETS = exponentialBuckets(0.001, 4, 10);

/** The inspection events the metrics observe. */
export const METRIC_EVENTS: readonly InspectionType[] = [
  'transition.committed',
  'transition.rejected',
  'transition.discarded',
  'commit.batch',
  'timer.fired',
  'timer.failed',
  'effect.started',
  'effect.succeeded',
  'effect.failed',
  'emit.delivered',
  'shadow.diverged',
  'replay.diverged',
];

/** The instruments, registered on one registry; `observe` feeds them one inspection event. */
export class EngineMetrics {
  readonly registry: Registry;
  readonly #events: LabelGuard;
  readonly stateDuration: Histogram<'machine' | 'state'>;
  readonly transitions: Counter<'machine' | 'event' | 'outcome'>;
  readonly instances: Gauge<'machine' | 'state' | 'status'>;
  readonly oldestInState: Gauge<'machine' | 'state'>;
  readonly timersPending: Gauge<'machine'>;
  readonly timersFired: Counter<'machine'>;
  readonly timerFailures: Counter<'machine'>;
  readonly timerLateness: Histogram<'machine'>;
  readonly outboxPending: Gauge<'machine'>;
  readonly effectAttempts: Counter<'machine' | 'kind' | 'name'>;
  readonly effectFailures: Counter<'machine' | 'kind' | 'name'>;
  readonly effectDuration: Histogram<'machine' | 'kind' | 'name'>;
  readonly deadLetters: Gauge<'machine' | 'kind'>;
  readonly deadLettered: Counter<'machine' | 'kind'>;
  readonly emitLag: Gauge<'subscriber'>;
  readonly emitsDelivered: Counter<'subscriber'>;
  readonly emitBacklog: Gauge<'subscriber'>;
  readonly commitBatchSize: Histogram;
  readonly commitDuration: Histogram<'ok'>;
  readonly shadowDivergences: Counter<'machine' | 'version' | 'candidate'>;
  readonly replayDivergences: Counter<'machine'>;
  readonly statsRefreshes: Counter<'ok'>;
  /** Label children of the instruments fed per transition, so the hot path skips label hashing. */
  readonly #transition = new Children((...v) => this.transitions.labels(...v));
  readonly #duration = new Children((...v) => this.stateDuration.labels(...v));

  constructor(options: MetricsOptions = {}) {
    const registry = new Registry();
    if (options.defaultLabels) registry.setDefaultLabels({ ...options.defaultLabels });
    this.registry = registry;
    this.#events = new LabelGuard(options.maxEventTypes ?? 200);
    const registers = [registry];
    this.stateDuration = new Histogram({
      name: 'stator_state_duration_seconds',
      help: 'Time instances spent in a state, observed when they leave it (recorded entry time to the recorded time of the event that left it).',
      labelNames: ['machine', 'state'],
      buckets: [...(options.stateDurationBuckets ?? DEFAULT_STATE_DURATION_BUCKETS)],
      registers,
    });
    this.transitions = new Counter({
      name: 'stator_transitions_total',
      help: 'Events decided, by outcome: applied, rejected_invalid, rejected_auth, rejected_error, discarded.',
      labelNames: ['machine', 'event', 'outcome'],
      registers,
    });
    this.instances = new Gauge({
      name: 'stator_instances',
      help: 'Instances by state and status (read from the store on an interval).',
      labelNames: ['machine', 'state', 'status'],
      registers,
    });
    this.oldestInState = new Gauge({
      name: 'stator_oldest_in_state_seconds',
      help: 'How long the oldest active instance has been in each state (read from the store on an interval).',
      labelNames: ['machine', 'state'],
      registers,
    });
    this.timersPending = new Gauge({
      name: 'stator_timers_pending',
      help: 'Timers waiting to fire (read from the store on an interval).',
      labelNames: ['machine'],
      registers,
    });
    this.timersFired = new Counter({
      name: 'stator_timers_fired_total',
      help: 'Timers handed to their instance by this process.',
      labelNames: ['machine'],
      registers,
    });
    this.timerFailures = new Counter({
      name: 'stator_timer_failures_total',
      help: 'Timer deliveries that failed (retried or dead-lettered).',
      labelNames: ['machine'],
      registers,
    });
    this.timerLateness = new Histogram({
      name: 'stator_timer_lateness_seconds',
      help: 'How long after its due time a timer fired.',
      labelNames: ['machine'],
      buckets: [...(options.timerLatenessBuckets ?? DEFAULT_TIMER_LATENESS_BUCKETS)],
      registers,
    });
    this.outboxPending = new Gauge({
      name: 'stator_outbox_pending',
      help: 'Effects waiting to run or running (read from the store on an interval).',
      labelNames: ['machine'],
      registers,
    });
    const effectLabels = ['machine', 'kind', 'name'] as const;
    this.effectAttempts = new Counter({
      name: 'stator_effect_attempts_total',
      help: 'Effect attempts begun: kind activity, action, emit, send, stop; name the activity src, action type, event type or target.',
      labelNames: effectLabels,
      registers,
    });
    this.effectFailures = new Counter({
      name: 'stator_effect_failures_total',
      help: 'Effect attempts that failed (retried or dead-lettered).',
      labelNames: effectLabels,
      registers,
    });
    this.effectDuration = new Histogram({
      name: 'stator_effect_duration_seconds',
      help: 'Duration of successful effect attempts.',
      labelNames: effectLabels,
      buckets: EFFECT_DURATION_BUCKETS,
      registers,
    });
    this.deadLetters = new Gauge({
      name: 'stator_dead_letters',
      help: 'Dead timers and effects kept for inspection and retry (read from the store on an interval).',
      labelNames: ['machine', 'kind'],
      registers,
    });
    this.deadLettered = new Counter({
      name: 'stator_dead_lettered_total',
      help: 'Timers and effects this process dead-lettered after their last retry failed.',
      labelNames: ['machine', 'kind'],
      registers,
    });
    this.emitLag = new Gauge({
      name: 'stator_emit_subscriber_lag_seconds',
      help: 'Time from commit to delivery of the last emit each named subscriber handled.',
      labelNames: ['subscriber'],
      registers,
    });
    this.emitsDelivered = new Counter({
      name: 'stator_emits_delivered_total',
      help: 'Emits handled by each named subscriber.',
      labelNames: ['subscriber'],
      registers,
    });
    this.emitBacklog = new Gauge({
      name: 'stator_emit_subscriber_backlog',
      help: "Emits committed after each named subscriber's durable cursor, that it has yet to handle (read from the store on an interval).",
      labelNames: ['subscriber'],
      registers,
    });
    this.commitBatchSize = new Histogram({
      name: 'stator_commit_batch_size',
      help: 'Writes per group commit (one store transaction).',
      buckets: BATCH_SIZE_BUCKETS,
      registers,
    });
    this.commitDuration = new Histogram({
      name: 'stator_commit_duration_seconds',
      help: 'Duration of one group commit in the store, its flush (fsync, PostgreSQL commit) included; ok="false" for failed ones.',
      labelNames: ['ok'],
      buckets: COMMIT_DURATION_BUCKETS,
      registers,
    });
    this.shadowDivergences = new Counter({
      name: 'stator_shadow_divergences_total',
      help: 'Live shadow runs that found an instance behaving differently on the candidate version.',
      labelNames: ['machine', 'version', 'candidate'],
      registers,
    });
    this.replayDivergences = new Counter({
      name: 'stator_replay_divergences_total',
      help: 'Instances whose rebuilt state disagreed with their stored row, or whose events no longer replay.',
      labelNames: ['machine'],
      registers,
    });
    this.statsRefreshes = new Counter({
      name: 'stator_stats_refreshes_total',
      help: 'Reads of instance counts and pending work from the store; ok="false" for failed ones.',
      labelNames: ['ok'],
      registers,
    });
  }

  /** Feeds one inspection event to the instruments it concerns. */
  observe(event: InspectionEvent): void {
    switch (event.type) {
      case 'transition.committed': {
        const { instance, event: ev } = event.write;
        const machine = instance.machine;
        this.#transition.get(machine, this.#events.label(machine, ev.type), 'applied').inc();
        const previous = event.previous;
        if (previous !== undefined && instance.stateEnteredAt !== previous.stateEnteredAt) {
          const seconds = Math.max(0, ev.recordedAt - previous.stateEnteredAt) / 1000;
          this.#duration.get(machine, stateKey(previous.value)).observe(seconds);
        }
        return;
      }
      case 'transition.rejected':
      case 'transition.discarded': {
        const { machine, eventType, outcome } = event.audit;
        this.#transition.get(machine, this.#events.label(machine, eventType), outcome).inc();
        return;
      }
      case 'commit.batch':
        this.commitBatchSize.observe(event.size);
        this.commitDuration.observe({ ok: String(event.ok) }, event.durationMs / 1000);
        return;
      case 'timer.fired':
        this.timersFired.inc({ machine: event.timer.machine });
        this.timerLateness.observe({ machine: event.timer.machine }, event.lateMs / 1000);
        return;
      case 'timer.failed':
        this.timerFailures.inc({ machine: event.timer.machine });
        if (event.deadLettered)
          this.deadLettered.inc({ machine: event.timer.machine, kind: 'timer' });
        return;
      case 'effect.started':
        this.effectAttempts.inc(effectLabels(event.row));
        return;
      case 'effect.succeeded':
        this.effectDuration.observe(effectLabels(event.row), event.durationMs / 1000);
        return;
      case 'effect.failed':
        this.effectFailures.inc(effectLabels(event.row));
        if (event.deadLettered)
          this.deadLettered.inc({ machine: event.row.machine, kind: 'effect' });
        return;
      case 'emit.delivered':
        this.emitLag.set({ subscriber: event.subscriber }, Math.max(0, event.lagMs) / 1000);
        this.emitsDelivered.inc({ subscriber: event.subscriber });
        return;
      case 'shadow.diverged':
        this.shadowDivergences.inc({
          machine: event.machine,
          version: event.version,
          candidate: event.candidate,
        });
        return;
      case 'replay.diverged':
        this.replayDivergences.inc({ machine: event.machine });
        return;
      default:
        return;
    }
  }
}

/** An effect's kind and name as labels: bounded by the machine definition, never by data. */
export function effectLabels(row: OutboxRow): { machine: string; kind: string; name: string } {
  const { effect } = row;
  switch (effect.kind) {
    case 'activity.start':
      return { machine: row.machine, kind: 'activity', name: effect.src };
    case 'activity.stop':
      return { machine: row.machine, kind: 'stop', name: effect.src ?? effect.activityId };
    case 'action':
      return { machine: row.machine, kind: 'action', name: effect.type };
    case 'emit':
      return { machine: row.machine, kind: 'emit', name: effect.event.type };
    case 'send':
      return { machine: row.machine, kind: 'send', name: effect.target };
  }
}

/** Label children made once per distinct label values. */
class Children<C> {
  readonly #made = new Map<string, C>();
  readonly #make: (...values: string[]) => C;

  constructor(make: (...values: string[]) => C) {
    this.#make = make;
  }

  get(...values: string[]): C {
    const key = values.join('\u0000');
    let child = this.#made.get(key);
    if (child === undefined) {
      child = this.#make(...values);
      this.#made.set(key, child);
    }
    return child;
  }
}
