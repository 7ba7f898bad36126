import type { Registry } from 'prom-client';
import type { Engine } from '../runtime/types.js';
import type { StoreStats } from '../store/types.js';
import { EngineMetrics, METRIC_EVENTS, type MetricsOptions } from './metrics.js';
import { refreshStoreGauges } from './store-gauges.js';

/** Metrics attached to a running engine. */
export interface AttachedMetrics {
  readonly registry: Registry;
  readonly metrics: EngineMetrics;
  /** Reads the store gauges now (also done every `refreshMs`). */
  refresh(): Promise<void>;
  /** Stops observing and refreshing; resolves once a refresh under way has finished. */
  stop(): Promise<void>;
}

export const DEFAULT_REFRESH_MS = 15_000;

export type RefreshOptions = Pick<MetricsOptions, 'refreshMs'> & {
  readonly now?: () => number;
  readonly onError?: (e: unknown) => void;
};

/**
 * Observes `engine`'s inspection events into Prometheus instruments and reads
 * the store gauges every `refreshMs` (the timer does not keep the process
 * alive). A failed refresh is logged through the engine's `log` events and
 * counted in `stator_stats_refreshes_total{ok="false"}`; the gauges keep their
 * last values.
 *
 * @example
 * const { registry, stop } = attachMetrics(engine, store);
 * console.log(await registry.metrics());
 * stop();
 */
export function attachMetrics(
  engine: Pick<Engine, 'inspect' | 'machines'>,
  store: StoreStats,
  options: MetricsOptions & RefreshOptions = {},
): AttachedMetrics {
  const metrics = new EngineMetrics(options);
  const unsubscribe = engine.inspect((event) => metrics.observe(event), METRIC_EVENTS);
  const gauges = refreshGauges(metrics, engine, store, options);
  return {
    ...gauges,
    async stop() {
      unsubscribe();
      await gauges.stop();
    },
  };
}

/**
 * Reads the store gauges of `metrics` now and every `refreshMs`, for metrics
 * whose events are observed already (`createEngine` subscribes them as
 * observers before the engine starts).
 */
export function refreshGauges(
  metrics: EngineMetrics,
  engine: Pick<Engine, 'machines'>,
  store: StoreStats,
  options: RefreshOptions = {},
): AttachedMetrics {
  const now = options.now ?? Date.now;
  let running: Promise<void> | undefined;
  const refresh = (): Promise<void> => {
    running ??= refreshStoreGauges(
      metrics,
      store,
      engine.machines().map((m) => m.name),
      now(),
    )
      .then(
        () => metrics.statsRefreshes.inc({ ok: 'true' }),
        (error: unknown) => {
          metrics.statsRefreshes.inc({ ok: 'false' });
          options.onError?.(error);
        },
      )
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => void refresh(), options.refreshMs ?? DEFAULT_REFRESH_MS);
  timer.unref();
  void refresh();
  return {
    registry: metrics.registry,
    metrics,
    refresh,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
