import { mergeWork, toEmitBacklog, toStateCount } from '../sql/stats.js';
import type { StoreStats } from '../types.js';
import type { SqliteRunner } from './runner.js';

/**
 * Grouped counts over the instance (machine, state_key, status,
 * state_entered_at), timer and outbox indexes. They scan every row they count
 * (~150 ms for a million instances), so they run beside the event loop, on the
 * checkpoint worker's connection (`SqliteRunner.readAside`).
 */
export function sqliteStats(r: SqliteRunner): StoreStats {
  return {
    async countByState(machine) {
      const [rows] = await r.readAside('count instances by state', (s) => [
        [s.countByState, machine],
      ]);
      return rows.map(toStateCount);
    },
    async countWork() {
      const [timers, outbox] = await r.readAside('count timers and outbox rows', (s) => [
        [s.countTimers],
        [s.countOutbox],
      ]);
      return mergeWork(timers, outbox);
    },
    async countEmitBacklog() {
      const [rows] = await r.readAside('count emits after each cursor', (s) => [
        [s.countEmitBacklog],
      ]);
      return rows.map(toEmitBacklog);
    },
  };
}
