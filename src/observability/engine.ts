import { Registry } from 'prom-client';
import { createEngine as createRuntimeEngine } from '../runtime/engine.js';
import type { Engine, EngineOptions } from '../runtime/types.js';
import { LOG_EVENTS, type TransitionLogOptions, transitionLog } from './logging.js';
import type { MetricsOptions } from './metrics.js';
import { attachMetrics } from './observe-metrics.js';
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
 * the transition log when asked for.
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
  const engine = await createRuntimeEngine(tracing ? { ...options, tracer: tracing } : options);
  const untrace = tracing && engine.inspect((event) => tracing.observe(event), TRACE_EVENTS);
  const unlog = log && engine.inspect(log, LOG_EVENTS);
  const metrics =
    options.metrics === false
      ? undefined
      : attachMetrics(engine, options.store, {
          ...(typeof options.metrics === 'object' && options.metrics),
          now: () => (options.clock ?? Date).now(),
          onError: (error) => (options.log ?? warn)('reading metrics from the store failed', error),
        });
  const registry = metrics?.registry ?? new Registry();
  return {
    ...engine,
    metrics: registry,
    async close() {
      await metrics?.stop();
      await engine.close();
      untrace?.();
      unlog?.();
    },
  };
}

const warn = (message: string, error?: unknown) => console.warn(`stator: ${message}`, error ?? '');
