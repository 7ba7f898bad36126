/**
 * Real faults, not mocks: PostgreSQL behind a loopback proxy that drops
 * connections at random points (all at once, or right when the server answers
 * a statement, so a commit the server made reaches Stator as a lost
 * connection), under concurrent load. Afterwards every acknowledged event is in
 * its history exactly once, an event whose outcome was reported unknown is there
 * at most once, nothing reported as not kept is there, sequences have no gaps,
 * and the stored state equals a replay. `STATOR_FAULT_SECONDS` makes it run
 * longer (default 3).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { createEngine } from '../../runtime/engine.js';
import { postgresStore } from './postgres-store.js';
import { type FlakyProxy, startFlakyProxy } from './test-support/flaky-proxy.js';
import { dropSchema, pgUrl, testSchema } from './test-support/pg-server.js';

const counter = setup({
  types: { context: {} as { total: number }, events: {} as { type: 'Add'; n: number } },
}).createMachine({
  id: 'counter',
  context: { total: 0 },
  on: { Add: { actions: assign({ total: ({ context, event }) => context.total + event.n }) } },
});

const SECONDS = Number(process.env.STATOR_FAULT_SECONDS ?? 3);
const CLIENTS = 32;
const INSTANCES = 16;

type Outcome = 'ack' | 'unknown' | 'not-kept';

describe('PostgreSQL connections lost under load', () => {
  let url: string;
  let schema: string;
  let proxy: FlakyProxy;

  beforeAll(async () => {
    url = await pgUrl();
    schema = testSchema();
    proxy = await startFlakyProxy(url);
  });
  afterAll(async () => {
    await proxy.close();
    await dropSchema(url, schema);
  });

  it(
    'applies every acknowledged event exactly once, and each unknown one at most once',
    async () => {
      const engine = await createEngine({
        store: postgresStore({
          url: proxy.url,
          schema,
          pool: { max: 8, connectionTimeoutMillis: 2000 },
        }),
        machines: [counter],
        // Shorter than a blackout: commits caught in one cannot be settled, and answer unknown.
        commitSettleMs: 1000,
        log: () => {}, // the pollers' complaints about lost connections
      });
      const ids = Array.from({ length: INSTANCES }, (_, i) => `c${i}`);
      for (const id of ids) await engine.create('counter', id);

      const outcomes = new Map<number, { id: string; outcome: Outcome; code?: string }>();
      let next = 1;
      const stopAt = Date.now() + SECONDS * 1000;
      const client = async (k: number) => {
        while (Date.now() < stopAt) {
          const n = next++;
          const id = ids[(k + n) % INSTANCES] as string;
          try {
            await engine.send('counter', id, { type: 'Add', n });
            outcomes.set(n, { id, outcome: 'ack' });
          } catch (error) {
            // Only COMMIT_OUTCOME_UNKNOWN may have been kept: every other error claims it was not.
            const code = (error as { code?: string }).code ?? 'none';
            outcomes.set(n, {
              id,
              code,
              outcome: code === 'COMMIT_OUTCOME_UNKNOWN' ? 'unknown' : 'not-kept',
            });
            // As a real client would: wait a little before the next request after a failure.
            await new Promise((resolve) => setTimeout(resolve, 50));
          }
        }
      };
      const faults = (async () => {
        while (Date.now() < stopAt) {
          await new Promise((resolve) => setTimeout(resolve, 40 + Math.random() * 120));
          const dice = Math.random();
          if (dice < 0.2) proxy.cutAll();
          else if (dice < 0.93) proxy.loseNextAnswer();
          else {
            proxy.blackout(1500);
            await new Promise((resolve) => setTimeout(resolve, 1500));
          }
        }
      })();
      await Promise.all([faults, ...Array.from({ length: CLIENTS }, (_, k) => client(k))]);
      await engine.close();

      // Read back directly, not through the proxy.
      const direct = await createEngine({
        store: postgresStore({ url, schema, pool: { max: 4 } }),
        machines: [counter],
      });
      try {
        const seen = new Map<number, number>();
        for (const id of ids) {
          const events = [];
          for (let after = 0; ; ) {
            const page = await direct.history('counter', id, { after, limit: 1000 });
            events.push(...page.events);
            if (page.next === null) break;
            after = page.next;
          }
          expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
          for (const e of events.slice(1)) {
            const n = e.payload.n as number;
            seen.set(n, (seen.get(n) ?? 0) + 1);
            expect(outcomes.get(n)?.id).toBe(id);
          }
          const state = await direct.get('counter', id);
          const replayed = await direct.replay('counter', id);
          expect(replayed).toEqual({
            value: state.value,
            context: state.context,
            status: state.status,
            seq: state.seq,
          });
          const total = events.slice(1).reduce((sum, e) => sum + (e.payload.n as number), 0);
          expect(state.context).toEqual({ total });
        }
        const count = { ack: 0, unknown: 0, 'not-kept': 0, duplicated: 0, unknownKept: 0 };
        for (const [n, { outcome }] of outcomes) {
          const times = seen.get(n) ?? 0;
          count[outcome]++;
          if (times > 1) count.duplicated++;
          if (outcome === 'ack') expect(times, `acknowledged event ${n}`).toBe(1);
          if (outcome === 'unknown') {
            expect(times, `unknown event ${n}`).toBeLessThanOrEqual(1);
            count.unknownKept += times;
          }
          if (outcome === 'not-kept') expect(times, `event ${n} reported not kept`).toBe(0);
        }
        for (const n of seen.keys()) expect(outcomes.has(n)).toBe(true);
        const codes = new Map<string, number>();
        for (const { code } of outcomes.values()) {
          if (code !== undefined) codes.set(code, (codes.get(code) ?? 0) + 1);
        }
        console.info(
          `lost connections: ${SECONDS}s, ${outcomes.size} sends: ${count.ack} acknowledged, ${count.unknown} unknown (${count.unknownKept} of them kept), ${count['not-kept']} failed and not kept (${[...codes].map(([c, k]) => `${c} ${k}`).join(', ')}), ${count.duplicated} duplicated; proxy cut ${proxy.stats.cut} connections, swallowed ${proxy.stats.answersLost} answers`,
        );
        expect(count.duplicated).toBe(0);
        expect(proxy.stats.answersLost).toBeGreaterThan(0);
        // Enough acknowledged to mean something, even on a loaded machine.
        expect(count.ack).toBeGreaterThan(20);
      } finally {
        await direct.close();
      }
    },
    SECONDS * 1000 + 60_000,
  );
});
