import { pageBounds } from '../page.js';
import { instanceQueryBounds } from '../query.js';
import { toJson } from '../sql/json.js';
import * as rows from '../sql/rows.js';
import type { Page, Store } from '../types.js';
import { listInstancesSql } from './list-instances.js';
import type { Runner } from './runner.js';

type InstanceReads = Pick<
  Store,
  | 'getInstance'
  | 'latestSnapshot'
  | 'saveSnapshot'
  | 'readEvents'
  | 'readAudit'
  | 'getIdempotency'
  | 'listTimers'
  | 'listOutbox'
  | 'listInstances'
>;

/** One instance's rows, its history, and listing a machine's instances. */
export function instanceReads(r: Runner, schema: string, qschema: string): InstanceReads {
  const page = (p: Page | undefined) => r.check(() => pageBounds(p));
  return {
    async getInstance(key) {
      const [row] = await r.rows('read an instance', 'getInstance', [key.machine, key.id]);
      return row && rows.toInstanceRow(row as rows.InstanceRecord);
    },
    async latestSnapshot(key) {
      const [row] = await r.rows('read a snapshot', 'latestSnapshot', [key.machine, key.id]);
      return row && rows.toSnapshotRow(row as rows.SnapshotRecord);
    },
    async saveSnapshot(s) {
      const values = [s.machine, s.id, s.seq, s.version, toJson(s.snapshot), s.takenAt];
      await r.rows('save a snapshot', 'saveSnapshot', values);
    },
    async readEvents(key, p) {
      const { after, limit, maxBytes } = page(p);
      const values = [key.machine, key.id, after, limit, maxBytes];
      const found = await r.rows('read events', 'readEvents', values);
      return (found as rows.EventRecord[]).map((row) => rows.toEventRow(key, row));
    },
    async readAudit(key, p) {
      const { after, limit } = page(p);
      const values = [key.machine, key.id, after, limit];
      const found = await r.rows('read the audit log', 'readAudit', values);
      return (found as rows.AuditRecordRow[]).map(rows.toAuditRecord);
    },
    async getIdempotency(key, idempotencyKey) {
      const values = [key.machine, key.id, idempotencyKey];
      const [row] = await r.rows('read an idempotency key', 'getIdempotency', values);
      return row && rows.toIdempotencyRow(row as rows.IdempotencyRecord);
    },
    async listTimers(key) {
      const found = await r.rows('list timers', 'listTimers', [key.machine, key.id]);
      return (found as rows.TimerRecord[]).map(rows.toTimerRow);
    },
    async listOutbox(key) {
      const found = await r.rows('list the outbox', 'listOutbox', [key.machine, key.id]);
      return (found as rows.OutboxRecord[]).map(rows.toOutboxRow);
    },
    async listInstances(query) {
      const bounds = r.check(() => instanceQueryBounds(query));
      const { statement, values } = listInstancesSql(schema, qschema, bounds);
      const found = await r.adHoc('list instances', statement, values);
      return (found as rows.InstanceRecord[]).map(rows.toInstanceRow);
    },
  };
}
