import type { AuditRecordRow } from '../sql/rows.js';
import type { InstanceKey } from '../types.js';
import type { Statements } from './statements.js';

/**
 * One page of an instance's audit log, in position order. The log is two
 * sources: rows of stator_audit (rejections, discards, and entries older than
 * schema 6) and the applied events' rows, which carry their own entries.
 *
 * Event rows are read by seq from a lower bound: an event's position counts the
 * event rows with a position up to it (at most its seq) and the stator_audit
 * rows before it (at most their count R), so a position past `after` means a
 * seq past `after - R`. Both sources are read in position order and merged;
 * the caller runs this in one read, so both see the same commit.
 */
export function readAuditPage(
  s: Statements,
  key: InstanceKey,
  after: number,
  limit: number,
): AuditRecordRow[] {
  if (limit === 0) return [];
  const table = s.readAudit.all(key.machine, key.id, after, limit);
  const minSeq = after - (s.countTableAudit.get(key.machine, key.id) ?? 0);
  const carried = s.readCarriedAudit.all(key.machine, key.id, minSeq, after, limit);
  if (carried.length === 0) return table;
  if (table.length === 0) return carried;
  const page: AuditRecordRow[] = [];
  let i = 0;
  let j = 0;
  while (page.length < limit && (i < table.length || j < carried.length)) {
    const a = table[i];
    const b = carried[j];
    if (b === undefined || (a !== undefined && a.position < b.position)) {
      page.push(a as AuditRecordRow);
      i++;
    } else {
      page.push(b);
      j++;
    }
  }
  return page;
}
