import { stateKey } from '../state-key.js';
import type { StateCount, StoreStats, WorkCount } from '../types.js';
import { compare, type MemoryData } from './data.js';

/** Grouped counts of instances, timers and outbox rows, read from the Maps. */
export function memoryStats(d: MemoryData): StoreStats {
  return {
    async countByState(machine) {
      d.assertOpen();
      const groups = new Map<string, StateCount>();
      for (const row of d.instances.values()) {
        if (row.machine !== machine) continue;
        const key = stateKey(row.value);
        const id = `${key}\u0000${row.status}`;
        const prev = groups.get(id);
        groups.set(id, {
          stateKey: key,
          status: row.status,
          count: (prev?.count ?? 0) + 1,
          oldestEnteredAt: Math.min(prev?.oldestEnteredAt ?? Infinity, row.stateEnteredAt),
        });
      }
      return [...groups.values()].sort(
        (a, b) => compare(a.stateKey, b.stateKey) || compare(a.status, b.status),
      );
    },
    async countWork() {
      d.assertOpen();
      const work = new Map<string, Mutable<WorkCount>>();
      const of = (machine: string) => {
        let w = work.get(machine);
        if (w === undefined) {
          w = { machine, timersPending: 0, timersDead: 0, outboxPending: 0, outboxDead: 0 };
          work.set(machine, w);
        }
        return w;
      };
      for (const bucket of d.buckets.values()) {
        for (const { row } of bucket.timers.values()) {
          const w = of(row.machine);
          if (row.status === 'dead') w.timersDead++;
          else w.timersPending++;
        }
      }
      for (const { row } of d.outbox.values()) {
        const w = of(row.machine);
        if (row.status === 'dead') w.outboxDead++;
        else w.outboxPending++;
      }
      return [...work.values()].sort((a, b) => compare(a.machine, b.machine));
    },
    async countEmitBacklog() {
      d.assertOpen();
      // Positions are 1.. the log's length, without gaps.
      return [...d.cursors]
        .map(([subscriber, cursor]) => ({
          subscriber,
          backlog: Math.max(0, d.emits.length - cursor),
        }))
        .sort((a, b) => compare(a.subscriber, b.subscriber));
    },
  };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
