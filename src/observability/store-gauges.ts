import type { StoreStats } from '../store/types.js';
import type { EngineMetrics } from './metrics.js';

/**
 * Reads instance counts, the oldest active instance per state, pending timers
 * and effects, dead letters and each emit subscriber's backlog from the
 * store, and sets the gauges. All
 * queries finish before any gauge changes, so a scrape never sees half a
 * refresh; series of states that emptied are removed.
 */
export async function refreshStoreGauges(
  metrics: EngineMetrics,
  store: StoreStats,
  machines: readonly string[],
  now: number,
): Promise<void> {
  const [byMachine, work, backlogs] = await Promise.all([
    Promise.all(machines.map(async (m) => [m, await store.countByState(m)] as const)),
    store.countWork(),
    store.countEmitBacklog(),
  ]);
  metrics.instances.reset();
  metrics.oldestInState.reset();
  for (const [machine, counts] of byMachine) {
    const oldest = new Map<string, number>();
    for (const c of counts) {
      metrics.instances.set({ machine, state: c.stateKey, status: c.status }, c.count);
      // Only active instances wait; a finished one sits in its final state by design.
      if (c.status !== 'active') continue;
      oldest.set(c.stateKey, Math.min(oldest.get(c.stateKey) ?? Infinity, c.oldestEnteredAt));
    }
    for (const [state, enteredAt] of oldest) {
      metrics.oldestInState.set({ machine, state }, Math.max(0, now - enteredAt) / 1000);
    }
  }
  metrics.timersPending.reset();
  metrics.outboxPending.reset();
  metrics.deadLetters.reset();
  for (const machine of machines) {
    metrics.timersPending.set({ machine }, 0);
    metrics.outboxPending.set({ machine }, 0);
    metrics.deadLetters.set({ machine, kind: 'timer' }, 0);
    metrics.deadLetters.set({ machine, kind: 'effect' }, 0);
  }
  for (const w of work) {
    metrics.timersPending.set({ machine: w.machine }, w.timersPending);
    metrics.outboxPending.set({ machine: w.machine }, w.outboxPending);
    metrics.deadLetters.set({ machine: w.machine, kind: 'timer' }, w.timersDead);
    metrics.deadLetters.set({ machine: w.machine, kind: 'effect' }, w.outboxDead);
  }
  metrics.emitBacklog.reset();
  for (const b of backlogs) metrics.emitBacklog.set({ subscriber: b.subscriber }, b.backlog);
}
