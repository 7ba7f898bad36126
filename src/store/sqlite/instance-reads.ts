import { pageBounds } from '../page.js';
import { instanceQueryBounds } from '../query.js';
import { toJson } from '../sql/json.js';
import {
  toAuditRecord,
  toIdempotencyRow,
  toInstanceRow,
  toOutboxRow,
  toSnapshotRow,
  toTimerRow,
} from '../sql/rows.js';
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
import { readAuditPage } from './audit-page.js';
import { readEventPage } from './event-page.js';
import type { SqliteRunner } from './runner.js';

/** One instance's rows and history, and listing a machine's instances. */
export function sqliteInstanceReads(r: SqliteRunner): InstanceReads {
  return {
    async getInstance(key: InstanceKey): Promise<InstanceRow | undefined> {
      const row = await r.read('read an instance', (s) => s.getInstance.get(key.machine, key.id));
      return row === undefined ? undefined : toInstanceRow(row);
    },
    async latestSnapshot(key: InstanceKey): Promise<SnapshotRow | undefined> {
      const row = await r.read('read a snapshot', (s) => s.latestSnapshot.get(key.machine, key.id));
      return row === undefined ? undefined : toSnapshotRow(row);
    },
    async saveSnapshot(row: SnapshotRow): Promise<void> {
      await r.write('save a snapshot', (s) =>
        s.upsertSnapshot.run(
          row.machine,
          row.id,
          row.seq,
          row.version,
          toJson(row.snapshot),
          row.takenAt,
        ),
      );
    },
    async readEvents(key: InstanceKey, page?: Page): Promise<EventRow[]> {
      return r.read('read events', (s) => {
        const { after, limit, maxBytes } = pageBounds(page);
        return readEventPage(s, key, after, limit, maxBytes);
      });
    },
    async readAudit(key: InstanceKey, page?: Page): Promise<AuditRecord[]> {
      const rows = await r.read('read the audit log', (s) => {
        const { after, limit } = pageBounds(page);
        return readAuditPage(s, key, after, limit);
      });
      return rows.map(toAuditRecord);
    },
    async getIdempotency(
      key: InstanceKey,
      idempotencyKey: string,
    ): Promise<IdempotencyRow | undefined> {
      const row = await r.read('read an idempotency key', (s) =>
        s.getIdempotency.get(key.machine, key.id, idempotencyKey),
      );
      return row === undefined ? undefined : toIdempotencyRow(row);
    },
    async listTimers(key: InstanceKey): Promise<TimerRow[]> {
      const rows = await r.read('list timers', (s) => s.listTimers.all(key.machine, key.id));
      return rows.map(toTimerRow);
    },
    async listOutbox(key: InstanceKey): Promise<OutboxRow[]> {
      const rows = await r.read('list the outbox', (s) => s.listOutbox.all(key.machine, key.id));
      return rows.map(toOutboxRow);
    },
    async listInstances(query: InstanceQuery): Promise<InstanceRow[]> {
      const { instances } = r.use();
      const rows = await r.read('list instances', () => instances.list(instanceQueryBounds(query)));
      return rows.map(toInstanceRow);
    },
  };
}
