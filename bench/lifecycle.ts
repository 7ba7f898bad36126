import { orderMachine } from '../examples/order.js';
import { createEngine, type ObservabilityOptions } from '../src/index.js';
import type { Store } from '../src/store/types.js';
import { pool } from './stats.js';

/** One benchmark measurement: transitions per second and the share of wall time inside store.commit. */
export interface Sample {
  rate: number;
  commitShare: number;
  /** CPU time of this process (user + system) per transition, in µs: steadier than wall time on a busy machine. */
  cpuUs?: number;
}

/** Metrics, tracing and the transition log all off: the engine alone. */
export const OBSERVERS_OFF: ObservabilityOptions = { metrics: false, tracing: false };

/**
 * The order lifecycle (create → Pay → Ship) for `instances` instances with
 * `concurrency` concurrent callers on an engine over `store`, which it closes.
 * `observability` chooses the observers (default: none).
 */
export async function orderLifecycle(
  store: Store,
  instances: number,
  concurrency: number,
  observability: ObservabilityOptions = OBSERVERS_OFF,
): Promise<Sample> {
  let commitMs = 0;
  const commit = store.commit.bind(store);
  store.commit = async (writes) => {
    const t0 = performance.now();
    try {
      return await commit(writes);
    } finally {
      commitMs += performance.now() - t0;
    }
  };
  const engine = await createEngine({
    store,
    machines: [orderMachine],
    ...observability,
    ...(process.env.BENCH_IN_FLIGHT && { commitsInFlight: Number(process.env.BENCH_IN_FLIGHT) }),
  });
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  await pool(instances, concurrency, async (i) => {
    const id = `o${i}`;
    await engine.create('order', id, { input: { total: 40 } });
    await engine.send('order', id, { type: 'Pay' });
    await engine.send('order', id, { type: 'Ship', carrier: 'dhl' });
  });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await engine.close();
  const cpuUs = (cpu.user + cpu.system) / (instances * 3);
  return { rate: ((instances * 3) / ms) * 1000, commitShare: commitMs / ms, cpuUs };
}
