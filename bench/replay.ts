/**
 * `npm run bench:replay`: rebuilding one instance from 10,000 events with
 * snapshots off, on SQLite. A cart receives 9,998 AddItem, Pay and Ship after
 * its creation (the peers' recovery stream). Each round opens a fresh engine
 * in a fresh process on that file (cold cache, cold JIT) and measures:
 * - the first `engine.replay` (rebuild from every event, through XState);
 * - the median of five more in the same process (JIT warm);
 * - the first send after open, which loads the instance the same way (no
 *   snapshot to start from), and the next send (cached) for comparison.
 *
 * Env: BENCH_EVENTS (10000), BENCH_RUNS (3), BENCH_DIR (os tmpdir).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assign, setup } from 'xstate';
import { createEngine } from '../src/index.js';
import { sqliteStore } from '../src/sqlite.js';
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
const open = (path: string) =>
  createEngine({ store: sqliteStore({ path }), machines, metrics: false, tracing: false });

async function build(path: string): Promise<void> {
  const engine = await open(path);
  await engine.create('cart', 'c');
  for (let i = 0; i < EVENTS - 2; i++)
    await engine.send('cart', 'c', { type: 'AddItem', price: 4 });
  await engine.send('cart', 'c', { type: 'Pay' });
  await engine.send('cart', 'c', { type: 'Ship' });
  await engine.close();
}

/** One measurement, in this (fresh) process. */
async function measure(path: string): Promise<Record<string, number>> {
  const engine = await open(path);
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
  console.log(JSON.stringify(await measure(process.argv[3] as string)));
  process.exit(0);
}

const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'stator-bench-replay-'));
const path = join(dir, 'cart.db');
await build(path);
const self = fileURLToPath(import.meta.url);
const runs: Record<string, number>[] = [];
for (let i = 0; i < RUNS; i++) {
  const child = spawnSync(process.execPath, ['--import', 'tsx', self, 'measure', path], {
    encoding: 'utf8',
  });
  if (child.status !== 0) throw new Error(`measurement failed:\n${child.stderr}`);
  runs.push(JSON.parse(child.stdout.trim().split('\n').pop() as string));
}
rmSync(dir, { recursive: true, force: true });
const row = (label: string, key: string) => [
  label,
  fmt(median(runs.map((r) => r[key] as number)), 1),
  runs.map((r) => fmt(r[key] as number, 1)).join(' '),
];
console.log(
  `one instance, ${EVENTS} events, snapshots off, SQLite; ${RUNS} fresh processes, medians (ms)\n`,
);
console.log(
  table([
    ['measure', 'ms', 'runs'],
    row('first replay in a fresh process', 'firstReplay'),
    row('replay, JIT warm (median of 5)', 'warmReplay'),
    row('first send after open (loads by replay)', 'coldSend'),
    row('next send (cached)', 'warmSend'),
  ]),
);
console.log('\ntarget: rebuild from 10,000 events <= 50 ms');
