/**
 * `npm run bench:replay`: rebuilding one instance from 10,000 events with
 * snapshots off, on SQLite (and on PostgreSQL when STATOR_PG_URL is set). A cart receives 9,998 AddItem, Pay and Ship after
 * its creation (the peers' recovery stream). Each round opens a fresh engine
 * in a fresh process on that file (cold cache, cold JIT) and measures:
 * - the first `engine.replay` (rebuild from every event, through XState);
 * - the median of five more in the same process (JIT warm);
 * - the first send after open, which loads the instance the same way (no
 *   snapshot to start from), and the next send (cached) for comparison.
 *
 * Env: BENCH_EVENTS (10000), BENCH_RUNS (3), BENCH_DIR (os tmpdir), STATOR_PG_URL.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assign, setup } from 'xstate';
import { createEngine, type Store } from '../src/index.js';
import { postgresStore } from '../src/postgres.js';
import { sqliteStore } from '../src/sqlite.js';
import { dropSchema, testSchema } from '../src/store/postgres/test-support/pg-server.js';
import { fmt, median, table } from './stats.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

const cart = setup({
  types: {
    context: {} as { items: number; total: number; pings: number },
    events: {} as { type: 'AddItem'; price: number } | { type: 'Pay' | 'Ship' | 'Ping' },
  },
}).createMachine({
  id: 'cart',
  initial: 'pending',
  context: { items: 0, total: 0, pings: 0 },
  states: {
    pending: {
      on: {
        AddItem: {
          actions: assign(({ context, event }) => ({
            items: context.items + 1,
            total: context.total + event.price,
          })),
        },
        Pay: 'paid',
      },
    },
    paid: { on: { Ship: 'shipped' } },
    shipped: { on: { Ping: { actions: assign(({ context }) => ({ pings: context.pings + 1 })) } } },
  },
});
const machines = [{ machine: cart, snapshot: { every: 0 } }];
type Kind = 'sqlite' | 'postgres';
/** `where`: the SQLite file, or the PostgreSQL schema (on STATOR_PG_URL). */
const storeOf = (kind: Kind, where: string): Store =>
  kind === 'sqlite'
    ? sqliteStore({ path: where })
    : postgresStore({ url: process.env.STATOR_PG_URL as string, schema: where });
const open = (kind: Kind, where: string) =>
  createEngine({ store: storeOf(kind, where), machines, metrics: false, tracing: false });

async function build(kind: Kind, where: string): Promise<void> {
  const engine = await open(kind, where);
  await engine.create('cart', 'c');
  for (let i = 0; i < EVENTS - 2; i++)
    await engine.send('cart', 'c', { type: 'AddItem', price: 4 });
  await engine.send('cart', 'c', { type: 'Pay' });
  await engine.send('cart', 'c', { type: 'Ship' });
  await engine.close();
}

/** One measurement, in this (fresh) process. */
async function measure(kind: Kind, where: string): Promise<Record<string, number>> {
  const engine = await open(kind, where);
  const time = async (run: () => Promise<unknown>) => {
    const t0 = performance.now();
    await run();
    return performance.now() - t0;
  };
  const coldSend = await time(() => engine.send('cart', 'c', { type: 'Ping' }));
  const warmSend = await time(() => engine.send('cart', 'c', { type: 'Ping' }));
  const firstReplay = await time(() => engine.replay('cart', 'c'));
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push(await time(() => engine.replay('cart', 'c')));
  const state = await engine.get('cart', 'c');
  await engine.close();
  if ((state.context as { items: number }).items !== EVENTS - 2) throw new Error('wrong state');
  return { coldSend, warmSend, firstReplay, warmReplay: median(warm) };
}

if (process.argv[2] === 'measure') {
  console.log(JSON.stringify(await measure(process.argv[3] as Kind, process.argv[4] as string)));
  process.exit(0);
}

const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'stator-bench-replay-'));
const self = fileURLToPath(import.meta.url);
const kinds: Kind[] = process.env.STATOR_PG_URL ? ['sqlite', 'postgres'] : ['sqlite'];
const rows: string[][] = [['store', 'measure', 'ms', 'runs']];
for (const kind of kinds) {
  const where = kind === 'sqlite' ? join(dir, 'cart.db') : testSchema();
  await build(kind, where);
  const runs: Record<string, number>[] = [];
  for (let i = 0; i < RUNS; i++) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', self, 'measure', kind, where], {
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`measurement failed:\n${child.stderr}`);
    runs.push(JSON.parse(child.stdout.trim().split('\n').pop() as string));
  }
  if (kind === 'postgres') await dropSchema(process.env.STATOR_PG_URL as string, where);
  const row = (label: string, key: string) => [
    kind,
    label,
    fmt(median(runs.map((r) => r[key] as number)), 1),
    runs.map((r) => fmt(r[key] as number, 1)).join(' '),
  ];
  rows.push(
    row('first replay in a fresh process', 'firstReplay'),
    row('replay, JIT warm (median of 5)', 'warmReplay'),
    row('first send after open (loads by replay)', 'coldSend'),
    row('next send (cached)', 'warmSend'),
  );
}
rmSync(dir, { recursive: true, force: true });
console.log(
  `one instance, ${EVENTS} events, snapshots off; ${RUNS} fresh processes per store, medians (ms)\n`,
);
console.log(table(rows));
console.log('\ntarget: rebuild from 10,000 events <= 50 ms');
