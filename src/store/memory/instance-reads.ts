import { pageBounds } from '../page.js';
import { instanceQueryBounds } from '../query.js';
import { stateKey, stateMatches } from '../state-key.js';
import type {
  AuditRecord,
  EventRow,
  IdempotencyRow,
  InstanceKey,
  InstanceQuery,
  InstanceReads,
  InstanceRow,
  OutboxRow,
  Page,
  SnapshotRow,
  TimerRow,
} from '../types.js';
import { bySeqIndex, compare, copy, copyIn, keyOf, type MemoryData } from './data.js';

/** One instance's rows and history, and listing a machine's instances. */
export function memoryInstanceReads(d: MemoryData): InstanceReads {
  return {
    async getInstance(key: InstanceKey): Promise<InstanceRow | undefined> {
      d.assertOpen();
      return copy(d.instances.get(keyOf(key)));
    },
    async latestSnapshot(key: InstanceKey): Promise<SnapshotRow | undefined> {
      d.assertOpen();
      let latest: SnapshotRow | undefined;
      for (const row of d.peek(key)?.snapshots.values() ?? []) {
        if (latest === undefined || row.seq > latest.seq) latest = row;
      }
      return copy(latest);
    },
    async saveSnapshot(row: SnapshotRow): Promise<void> {
      d.assertOpen();
      const stored = copyIn(row, 'save a snapshot');
      d.bucket(row).snapshots.set(stored.seq, stored);
    },
    async readEvents(key: InstanceKey, page?: Page): Promise<EventRow[]> {
      d.assertOpen();
      const { after, limit, maxBytes } = pageBounds(page);
      const events = [...(d.peek(key)?.events.values() ?? [])]
        .filter((row) => row.seq > after)
        .sort((a, b) => a.seq - b.seq)
        .slice(0, limit);
      // As the SQL stores: stop before the payloads pass maxBytes, but give at least one.
      let bytes = 0;
      const page_: EventRow[] = [];
      for (const row of events) {
        const size = Buffer.byteLength(JSON.stringify(row.payload));
        if (page_.length > 0 && bytes + size > maxBytes) break;
        bytes += size;
        page_.push(structuredClone(row));
      }
      return page_;
    },
    async readAudit(key: InstanceKey, page?: Page): Promise<AuditRecord[]> {
      d.assertOpen();
      const { after, limit } = pageBounds(page);
      const audit = d.peek(key)?.audit ?? [];
      return audit.slice(after, after + limit).map((row) => structuredClone(row));
    },
    async getIdempotency(
      key: InstanceKey,
      idempotencyKey: string,
    ): Promise<IdempotencyRow | undefined> {
      d.assertOpen();
      return copy(d.peek(key)?.idempotency.get(idempotencyKey));
    },
    async listTimers(key: InstanceKey): Promise<TimerRow[]> {
      d.assertOpen();
      const timers = [...(d.peek(key)?.timers.values() ?? [])]
        .map((entry) => entry.row)
        .filter((row) => row.status === 'pending');
      return timers.sort(byDueTime).map((row) => structuredClone(row));
    },
    async listOutbox(key: InstanceKey): Promise<OutboxRow[]> {
      d.assertOpen();
      const rows = [...d.outbox.values()]
        .map((entry) => entry.row)
        .filter((row) => row.machine === key.machine && row.id === key.id);
      return rows.sort(bySeqIndex).map((row) => structuredClone(row));
    },
    async listInstances(query: InstanceQuery): Promise<InstanceRow[]> {
      d.assertOpen();
      const q = instanceQueryBounds(query);
      const rows = [...d.instances.values()].filter(
        (row) =>
          row.machine === q.machine &&
          (q.afterId === undefined || row.id > q.afterId) &&
          (q.idPrefix === undefined || row.id.startsWith(q.idPrefix)) &&
          (q.state === undefined || stateMatches(stateKey(row.value), q.state)) &&
          (q.status === undefined || row.status === q.status) &&
          (q.enteredBefore === undefined || row.stateEnteredAt < q.enteredBefore) &&
          (q.version === undefined || row.version === q.version),
      );
      return rows
        .sort((a, b) => compare(a.id, b.id))
        .slice(0, q.limit)
        .map((row) => structuredClone(row));
    },
  };
}

function byDueTime(a: TimerRow, b: TimerRow): number {
  return a.dueAt - b.dueAt || compare(a.timerId, b.timerId);
}
