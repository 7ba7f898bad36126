import type { InstanceStatus } from '../../core/types.js';
import type { EmitBacklog, StateCount, WorkCount } from '../types.js';

/** A row of the grouped instance count, as both SQL adapters select it. */
export interface StateCountRecord {
  readonly state_key: string;
  readonly status: string;
  readonly count: number | string;
  readonly oldest: number | string;
}

/** A row of a grouped timer or outbox count. */
export interface WorkCountRecord {
  readonly machine: string;
  readonly status: string;
  readonly count: number | string;
}

/** A row of the emit backlog count, as both SQL adapters select it. */
export interface EmitBacklogRecord {
  readonly subscriber: string;
  readonly backlog: number | string;
}

export const toEmitBacklog = (r: EmitBacklogRecord): EmitBacklog => ({
  subscriber: r.subscriber,
  backlog: Number(r.backlog),
});

export const toStateCount = (r: StateCountRecord): StateCount => ({
  stateKey: r.state_key,
  status: r.status as InstanceStatus,
  count: Number(r.count),
  oldestEnteredAt: Number(r.oldest),
});

/** Timer and outbox counts by (machine, status), merged into one row per machine, by machine. */
export function mergeWork(
  timers: readonly WorkCountRecord[],
  outbox: readonly WorkCountRecord[],
): WorkCount[] {
  const work = new Map<string, { -readonly [K in keyof WorkCount]: WorkCount[K] }>();
  const of = (machine: string) => {
    let w = work.get(machine);
    if (w === undefined) {
      w = { machine, timersPending: 0, timersDead: 0, outboxPending: 0, outboxDead: 0 };
      work.set(machine, w);
    }
    return w;
  };
  for (const r of timers) {
    const w = of(r.machine);
    if (r.status === 'dead') w.timersDead += Number(r.count);
    else w.timersPending += Number(r.count);
  }
  for (const r of outbox) {
    const w = of(r.machine);
    if (r.status === 'dead') w.outboxDead += Number(r.count);
    else w.outboxPending += Number(r.count);
  }
  return [...work.values()].sort((a, b) =>
    a.machine < b.machine ? -1 : a.machine > b.machine ? 1 : 0,
  );
}
