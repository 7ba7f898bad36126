import { Registry } from 'prom-client';
import { createEngine as createRuntimeEngine } from '../runtime/engine.js';
import type { InspectionObserver } from '../runtime/inspection.js';
import type { Engine, EngineOptions } from '../runtime/types.js';
import { LOG_EVENTS, type TransitionLogOptions, transitionLog } from './logging.js';
import { EngineMetrics, METRIC_EVENTS, type MetricsOptions } from './metrics.js';
import { refreshGauges } from './observe-metrics.js';
import { EngineTracing, TRACE_EVENTS, type TracingOptions } from './tracing.js';

/** What the engine reports about itself, beside its inspection events. */
export interface ObservabilityOptions {
  /**
   * Prometheus metrics in `engine.metrics` (on by default): counters and
   * histograms from the inspection events, and store gauges read every
   * `refreshMs`. `false` turns them off (`engine.metrics` is then empty).
   */
  readonly metrics?: MetricsOptions | boolean;
  /**
   * OpenTelemetry spans through `@opentelemetry/api` (on by default; no-ops
   * until an SDK is registered): one per transition, timer firing and effect
   * attempt, with each transition's context stored in its event so the
   * instance's later transitions, on any process, continue its trace.
   * `false` turns it off (the caller's `traceparent` is then stored as given).
   */
  readonly tracing?: TracingOptions | boolean;
  /** One structured (pino) line per transition, rejections included. Default off. */
  readonly transitionLog?: TransitionLogOptions | false;
}

/** An engine with its Prometheus registry. */
export interface ObservedEngine extends Engine {
  /**
   * The engine's metrics, a prom-client `Registry`: serve
   * `await engine.metrics.metrics()` with `engine.metrics.contentType`, or
   * merge it into yours with `Registry.merge`.
   */
  readonly metrics: Registry;
}

/**
 * Starts an engine (see the runtime's `createEngine`) with its observers
 * attached: metrics (`engine.metrics`) and OpenTelemetry tracing by default,
 * the transition log when asked for. They are subscribed before the engine
 * starts, so they see its start-up too (timers that fell due, effects resumed).
 *
 * @example
 * const engine = await createEngine({ store: sqliteStore({ path: './orders.db' }), machines: [orderMachine] });
 * const text = await engine.metrics.metrics(); // Prometheus text format
 */
export async function createEngine(
  options: EngineOptions & ObservabilityOptions,
): Promise<ObservedEngine> {
  const tracing =
    options.tracing === false || options.tracer !== undefined
      ? undefined
      : new EngineTracing(
          options.store,
          typeof options.tracing === 'object' ? options.tracing : {},
        );
  // Built first: a bad option throws before any engine is open.
  const log = options.transitionLog ? transitionLog(options.transitionLog) : undefined;
  const metricsOptions = typeof options.metrics === 'object' ? options.metrics : {};
  const metrics = options.metrics === false ? undefined : new EngineMetrics(metricsOptions);
  // The tracer first: it must hear of a commit before the effects that commit starts.
  const observers: InspectionObserver[] = [
    ...(tracing ? [{ listener: tracing.observe.bind(tracing), types: TRACE_EVENTS }] : []),
    ...(metrics ? [{ listener: metrics.observe.bind(metrics), types: METRIC_EVENTS }] : []),
    ...(log ? [{ listener: log, types: LOG_EVENTS }] : []),
    ...(options.observers ?? []),
  ];
  const engine = await createRuntimeEngine({
    ...options,
    observers,
    ...(tracing && { tracer: tracing }),
  });
  const gauges =
    metrics &&
    refreshGauges(metrics, engine, options.store, {
      ...metricsOptions,
      now: () => (options.clock ?? Date).now(),
      onError: (error) => (options.log ?? warn)('reading metrics from the store failed', error),
    });
  return {
    ...engine,
    metrics: metrics?.registry ?? new Registry(),
    async close() {
      await gauges?.stop();
      await engine.close();
    },
  };
}

const warn = (message: string, error?: unknown) => console.warn(`stator: ${message}`, error ?? '');
