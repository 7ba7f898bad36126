import { mergeWork, toEmitBacklog, toStateCount } from '../sql/stats.js';
import type { StoreStats } from '../types.js';
import type { SqliteRunner } from './runner.js';

/** Grouped counts over the instance (machine, state_key, status, state_entered_at), timer and outbox indexes. */
export function sqliteStats(r: SqliteRunner): StoreStats {
  return {
    async countByState(machine) {
      const rows = await r.read('count instances by state', (s) => s.countByState.all(machine));
      return rows.map(toStateCount);
    },
    async countWork() {
      const [timers, outbox] = await r.read('count timers and outbox rows', (s) => [
        s.countTimers.all(),
        s.countOutbox.all(),
      ]);
      return mergeWork(timers, outbox);
    },
    async countEmitBacklog() {
      const rows = await r.read('count emits after each cursor', (s) => s.countEmitBacklog.all());
      return rows.map(toEmitBacklog);
    },
  };
}
