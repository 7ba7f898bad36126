import {
  type EmitBacklogRecord,
  mergeWork,
  type StateCountRecord,
  toEmitBacklog,
  toStateCount,
  type WorkCountRecord,
} from '../sql/stats.js';
import type { StoreStats } from '../types.js';
import type { Runner } from './runner.js';

/** Grouped counts over the instance (machine, state_key, status), timer and outbox indexes. */
export function stats(r: Runner): StoreStats {
  return {
    async countByState(machine) {
      const rows = await r.rows('count instances by state', 'countByState', [machine]);
      return (rows as StateCountRecord[]).map(toStateCount);
    },
    async countWork() {
      const [timers, outbox] = await Promise.all([
        r.rows('count timers', 'countTimers', []),
        r.rows('count outbox rows', 'countOutbox', []),
      ]);
      return mergeWork(timers as WorkCountRecord[], outbox as WorkCountRecord[]);
    },
    async countEmitBacklog() {
      const rows = await r.rows('count emits after each cursor', 'countEmitBacklog', []);
      return (rows as EmitBacklogRecord[]).map(toEmitBacklog);
    },
  };
}
