import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  at,
  auditOnly,
  createWrite,
  effect,
  emit,
  eventWrite,
  key,
  timer,
} from '../contract/builders.js';
import type { EmitRecord, Store, WakeTopic } from '../types.js';
import { postgresStore } from './postgres-store.js';
import { dropSchema, pgUrl, testSchema } from './test-support/pg-server.js';

/** Several stores (as several processes would) over one schema. */
describe('postgres store shared by several processes', () => {
  let url: string;
  let schema: string;
  let stores: Store[];

  beforeEach(async () => {
    url = await pgUrl();
    schema = testSchema();
    stores = Array.from({ length: 3 }, () => postgresStore({ url, schema, pool: { max: 4 } }));
    for (const s of stores) await s.open();
  });
  afterEach(async () => {
    for (const s of stores) await s.close();
    await dropSchema(url, schema);
  });

  it('hands out emit positions in commit order: a reader following the log never skips one', async () => {
    const seen: number[] = [];
    let writing = true;
    const reader = (async () => {
      let cursor = 0;
      while (writing || seen.length < 300) {
        const page = await stores[0]!.readEmits(cursor, 1000);
        for (const e of page) {
          // Nothing below the cursor ever appears later: each page continues the last.
          expect(e.position).toBe(cursor + 1);
          cursor = e.position;
          seen.push(e.position);
        }
        if (page.length === 0 && !writing) break;
      }
    })();
    await Promise.all(
      stores.map(async (store, s) => {
        for (let n = 0; n < 50; n++) {
          const k = key('order', `s${s}-${n}`);
          await store.commit([createWrite(k, { emits: [emit(k, 1, 0), emit(k, 1, 1)] })]);
        }
      }),
    );
    writing = false;
    await reader;
    expect(seen).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
  });

  it('numbers emits while processes write and read at once: no gaps, each instance in seq order', async () => {
    let writing = true;
    // Every store reads (and so numbers the queue) while all of them write.
    const readers = stores.map(async (store) => {
      const seen: EmitRecord[] = [];
      let cursor = 0;
      for (;;) {
        const page = await store.readEmits(cursor, 1000);
        for (const e of page) {
          expect(e.position).toBe(cursor + 1);
          cursor = e.position;
          seen.push(e);
        }
        if (page.length === 0 && !writing) return seen;
      }
    });
    await Promise.all(
      stores.map(async (store, s) => {
        for (let n = 0; n < 20; n++) {
          const k = key('order', `s${s}-${n}`);
          await store.commit([createWrite(k, { emits: [emit(k, 1, 0)] })]);
          await store.commit([eventWrite(k, 1, { emits: [emit(k, 2, 0), emit(k, 2, 1)] })]);
          await store.commit([eventWrite(k, 2, { emits: [emit(k, 3, 0)] })]);
        }
      }),
    );
    writing = false;
    const seenBy = await Promise.all(readers);
    const all = seenBy[0]!;
    expect(all.map((e) => e.position)).toEqual(Array.from({ length: 240 }, (_, i) => i + 1));
    for (const seen of seenBy) expect(seen).toEqual(all);
    const order = new Map<string, string[]>();
    for (const e of all) order.set(e.id, [...(order.get(e.id) ?? []), `${e.seq}/${e.index}`]);
    expect(order.size).toBe(60);
    for (const steps of order.values()) expect(steps).toEqual(['1/0', '2/0', '2/1', '3/0']);
  });

  it('numbers one instance’s audit rows 1, 2, 3… while processes append to it at once', async () => {
    const order = key('order', 'o-1');
    await stores[0]!.commit([createWrite(order)]);
    await Promise.all(
      stores.map(async (store) => {
        for (let n = 0; n < 20; n++) {
          expect(await store.commit([auditOnly(order, { at: n })])).toEqual([{ ok: true }]);
        }
      }),
    );
    const audit = await stores[1]!.readAudit(order, { limit: 1000 });
    expect(audit.map((a) => a.position)).toEqual(Array.from({ length: 61 }, (_, i) => i + 1));
  });

  it('lets one writer win a race on an instance; the others get SEQUENCE_CONFLICT with the new seq', async () => {
    const order = key('order', 'o-1');
    await stores[0]!.commit([createWrite(order)]);
    const outcomes = await Promise.all(stores.map((s) => s.commit([eventWrite(order, 1)])));
    expect(outcomes.filter(([o]) => o?.ok)).toHaveLength(1);
    expect(outcomes.filter(([o]) => !o?.ok)).toEqual([
      [{ ok: false, code: 'SEQUENCE_CONFLICT', actual: 2 }],
      [{ ok: false, code: 'SEQUENCE_CONFLICT', actual: 2 }],
    ]);
    const creates = await Promise.all(stores.map((s) => s.commit([createWrite(key('o', 'new'))])));
    expect(creates.flat().filter((o) => o.ok)).toHaveLength(1);
  });

  it('does not deadlock when batches touch the same instances in opposite orders', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => key('order', `o-${i}`));
    await stores[0]!.commit(ids.map((k) => createWrite(k)));
    const seqs = new Map(ids.map((k) => [k.id, 1]));
    for (let round = 0; round < 10; round++) {
      const forward = ids.map((k) => eventWrite(k, seqs.get(k.id)!));
      const backward = [...forward].reverse();
      const [a, b] = await Promise.all([stores[0]!.commit(forward), stores[1]!.commit(backward)]);
      // Each instance advanced exactly once, by one of the two batches.
      ids.forEach((k, i) => {
        expect([a[i]?.ok, b[ids.length - 1 - i]?.ok].filter(Boolean)).toHaveLength(1);
        seqs.set(k.id, seqs.get(k.id)! + 1);
      });
    }
  });

  it('claims each due timer and outbox row for exactly one process (FOR UPDATE SKIP LOCKED)', async () => {
    const writes = Array.from({ length: 60 }, (_, i) => {
      const k = key('order', `o-${i}`);
      return createWrite(k, { timersSet: [timer(k, 't', at(i))], outbox: [effect(k, 1, 0)] });
    });
    await stores[0]!.commit(writes);
    const lease = (owner: string) => ({ owner, now: at(100), until: at(160), limit: 7 });
    const timers: string[] = [];
    const outbox: string[] = [];
    await Promise.all(
      stores.map(async (store, s) => {
        for (let round = 0; round < 5; round++) {
          const [t, o] = await Promise.all([
            store.claimDueTimers(lease(`p${s}`)),
            store.claimOutbox(lease(`p${s}`)),
          ]);
          timers.push(...t.map((r) => r.id));
          outbox.push(...o.map((r) => r.effectId));
        }
      }),
    );
    expect(new Set(timers).size).toBe(60);
    expect(timers).toHaveLength(60);
    expect(new Set(outbox).size).toBe(60);
    expect(outbox).toHaveLength(60);
  });

  it('wakes the other processes over LISTEN/NOTIFY when a commit writes timers, unleased outbox rows or emits', async () => {
    const heard: WakeTopic[][] = stores.map(() => []);
    const stops = stores.map((s, i) => s.onWake!((topic) => heard[i]!.push(topic)));
    await new Promise((r) => setTimeout(r, 200)); // LISTEN in place
    const k = key('order', 'o-1');
    await stores[0]!.commit([
      createWrite(k, {
        timersSet: [timer(k, 't', at(1))],
        outbox: [effect(k, 1, 0)],
        emits: [emit(k, 1, 0)],
      }),
    ]);
    await stores[0]!.commit([
      {
        ...eventWrite(k, 1, { outbox: [effect(k, 2, 0)] }),
        outboxLease: { owner: 'p0', until: 1 },
      },
    ]);
    await expect.poll(() => heard[1]!.length).toBe(3);
    await expect.poll(() => heard[2]!.length).toBe(3);
    expect(new Set(heard[1])).toEqual(new Set(['timers', 'outbox', 'emits']));
    expect(heard[0]).toEqual([]); // its own commits: it knows
    for (const stop of stops) stop();
  });
});
