import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditOnly, createWrite, eventWrite, key } from '../contract/builders.js';
import type { AuditRecord, CommitWrite, Store } from '../types.js';
import { sqliteStore } from './sqlite-store.js';

const order = key('order', 'o-1');

describe('sqlite audit log carried by event rows', () => {
  let dir: string;
  let path: string;
  let store: Store;

  const open = async () => {
    store = sqliteStore({ path });
    await store.open();
  };
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stator-audit-'));
    path = join(dir, 'stator.db');
    await open();
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const commit = async (...writes: CommitWrite[]) => {
    for (const o of await store.commit(writes)) expect(o).toMatchObject({ ok: true });
  };
  /** A second connection to the file: what is stored, table by table. */
  const raw = <T>(read: (db: Database.Database) => T): T => {
    const db = new Database(path, { readonly: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  };
  const tableRows = () =>
    raw((db) => db.prepare('SELECT COUNT(*) FROM stator_audit').pluck().get());
  /** Every entry, a page of one at a time: each page starts after the last position read. */
  const walk = async (): Promise<AuditRecord[]> => {
    const all: AuditRecord[] = [];
    for (;;) {
      const [next] = await store.readAudit(order, { after: all.at(-1)?.position ?? 0, limit: 1 });
      if (next === undefined) return all;
      all.push(next);
    }
  };

  it('writes no audit row for an applied event, and reads its entry from the event row', async () => {
    await commit(createWrite(order));
    await commit(auditOnly(order, { transitionId: 'order/o-1/rejected/a' }));
    await commit(
      eventWrite(order, 1, {
        type: 'Pay',
        traceContext: { traceparent: `00-${'a'.repeat(32)}-${'b'.repeat(16)}-01` },
      }),
    );
    const second = eventWrite(order, 2, { type: 'Ship', actor: null });
    await commit({ ...second, audit: { ...second.audit, from: 'step2', traceId: 't-1' } });

    expect(tableRows()).toBe(1);
    const audit = await store.readAudit(order);
    expect(audit.map((a) => [a.position, a.eventType, a.outcome])).toEqual([
      [1, 'xstate.init', 'applied'],
      [2, 'Refund', 'rejected_invalid'],
      [3, 'Pay', 'applied'],
      [4, 'Ship', 'applied'],
    ]);
    expect(audit[3]).toEqual({ ...second.audit, from: 'step2', traceId: 't-1', position: 4 });
    expect(audit[0]).toEqual({ ...createWrite(order).audit, position: 1 });
    expect(await walk()).toEqual(audit);
    expect(await store.readAudit(order, { after: 1, limit: 2 })).toEqual(audit.slice(1, 3));
  });

  it('gives an entry that the event row cannot carry a row of its own, in its place', async () => {
    await commit(createWrite(order));
    const odd = eventWrite(order, 1, { type: 'Pay' });
    // Recorded under another actor than the event's: it must come back as written.
    const audit = { ...odd.audit, actor: { id: 'operator' } };
    await commit({ ...odd, audit });
    await commit(eventWrite(order, 2, { type: 'Ship' }));

    expect(tableRows()).toBe(1);
    const read = await store.readAudit(order);
    expect(read.map((a) => a.position)).toEqual([1, 2, 3]);
    expect(read[1]).toEqual({ ...audit, position: 2 });
    expect(await walk()).toEqual(read);
  });

  it('continues the log of a database whose entries all sit in stator_audit (schema 5)', async () => {
    await commit(createWrite(order));
    await commit(eventWrite(order, 1, { type: 'Pay' }));
    await commit(auditOnly(order, { transitionId: 'order/o-1/rejected/a' }));
    await commit(eventWrite(order, 2, { type: 'Ship' }));
    const before = await store.readAudit(order);
    await store.close();
    // What schema 5 wrote: every entry a stator_audit row, no position on the event rows.
    const db = new Database(path);
    db.transaction(() => {
      db.exec(`
        INSERT INTO stator_audit
          (machine, id, position, transition_id, seq, actor, event_type, from_state, to_state,
           at, trace_id, outcome, reason)
        SELECT machine, id, audit_position, transition_id, seq, actor, type, from_state, to_state,
               recorded_at, trace_id, 'applied', NULL
        FROM stator_events WHERE audit_position IS NOT NULL;
        UPDATE stator_events SET audit_position = NULL, transition_id = NULL, from_state = NULL,
               to_state = NULL, trace_id = NULL;
      `);
    })();
    db.close();
    await open();
    expect(tableRows()).toBe(4);
    expect(await store.readAudit(order)).toEqual(before);

    await commit(eventWrite(order, 3, { type: 'Deliver' }));
    await commit(auditOnly(order, { transitionId: 'order/o-1/rejected/b' }));
    await commit(eventWrite(order, 4, { type: 'Close' }));
    const after = await store.readAudit(order);
    expect(after.map((a) => [a.position, a.eventType])).toEqual([
      [1, 'xstate.init'],
      [2, 'Pay'],
      [3, 'Refund'],
      [4, 'Ship'],
      [5, 'Deliver'],
      [6, 'Refund'],
      [7, 'Close'],
    ]);
    expect(after.slice(0, 4)).toEqual(before);
    expect(await walk()).toEqual(after);
    expect(tableRows()).toBe(5);
  });
});
