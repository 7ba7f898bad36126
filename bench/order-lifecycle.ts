/**
 * `npm run bench`: the order lifecycle (create → Pay → Ship, 2,000 instances) on
 * Stator/SQLite against raw better-sqlite3 inserting one row per transition, in
 * one run, side by side: concurrency 1 vs one row per commit, concurrency 32 vs
 * 32 rows per commit. Several runs each; medians and ratios are printed.
 *
 * Options (env): BENCH_INSTANCES (2000), BENCH_RUNS (5), BENCH_DIR (os tmpdir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { sqliteStore } from '../src/sqlite.js';
import { orderLifecycle, type Sample } from './lifecycle.js';
import { fmt, median, table } from './stats.js';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TRANSITIONS = INSTANCES * 3;
const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'stator-bench-'));
let dbCounter = 0;
const freshPath = () => join(root, `b${dbCounter++}.db`);

async function stator(concurrency: number): Promise<Sample> {
  return orderLifecycle(sqliteStore({ path: freshPath() }), INSTANCES, concurrency);
}

function raw(rowsPerCommit: number): Sample {
  const db = new Database(freshPath());
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(
    'CREATE TABLE events (machine TEXT, id TEXT, seq INTEGER, type TEXT, payload TEXT, recorded_at INTEGER, PRIMARY KEY (machine, id, seq))',
  );
  const insert = db.prepare('INSERT INTO events VALUES (?, ?, ?, ?, ?, ?)');
  const types = ['xstate.init', 'Pay', 'Ship'];
  const batch = db.transaction((from: number, to: number) => {
    for (let n = from; n < to; n++) {
      insert.run(
        'order',
        `o${Math.floor(n / 3)}`,
        (n % 3) + 1,
        types[n % 3],
        '{"total":40}',
        Date.now(),
      );
    }
  });
  const t0 = performance.now();
  for (let n = 0; n < TRANSITIONS; n += rowsPerCommit)
    batch(n, Math.min(TRANSITIONS, n + rowsPerCommit));
  const ms = performance.now() - t0;
  db.close();
  return { rate: (TRANSITIONS / ms) * 1000, commitShare: 1 };
}

async function main(): Promise<void> {
  const results: Record<string, Sample[]> = { raw1: [], raw32: [], stator1: [], stator32: [] };
  for (let run = 0; run < RUNS; run++) {
    // Interleave the contenders so drift in machine load hits all of them alike.
    results.raw1!.push(raw(1));
    results.stator1!.push(await stator(1));
    results.raw32!.push(raw(32));
    results.stator32!.push(await stator(32));
    process.stderr.write(`run ${run + 1}/${RUNS} done\n`);
  }
  const med = (k: string) => median(results[k]!.map((s) => s.rate));
  const share = (k: string) => median(results[k]!.map((s) => s.commitShare));
  console.log(
    `order lifecycle, ${INSTANCES} instances × 3 transitions, ${RUNS} runs, medians (transitions/s)\n`,
  );
  console.log(
    table([
      ['contender', 'rate/s', 'runs', 'time in store.commit'],
      [
        'raw better-sqlite3, 1 row/commit',
        fmt(med('raw1')),
        results.raw1!.map((s) => fmt(s.rate)).join(' '),
        '-',
      ],
      [
        'Stator/SQLite, concurrency 1',
        fmt(med('stator1')),
        results.stator1!.map((s) => fmt(s.rate)).join(' '),
        `${fmt(share('stator1') * 100)}%`,
      ],
      [
        'raw better-sqlite3, 32 rows/commit',
        fmt(med('raw32')),
        results.raw32!.map((s) => fmt(s.rate)).join(' '),
        '-',
      ],
      [
        'Stator/SQLite, concurrency 32',
        fmt(med('stator32')),
        results.stator32!.map((s) => fmt(s.rate)).join(' '),
        `${fmt(share('stator32') * 100)}%`,
      ],
    ]),
  );
  const r1 = median(results.stator1!.map((s, i) => s.rate / results.raw1![i]!.rate));
  const r32 = median(results.stator32!.map((s, i) => s.rate / results.raw32![i]!.rate));
  console.log(`\nratio c=1  Stator / raw 1-row commit:   ${fmt(r1, 2)}x  (target >= 0.80)`);
  console.log(`ratio c=32 Stator / raw 32-row commit:  ${fmt(r32, 2)}x  (target >= 0.50)`);
  rmSync(root, { recursive: true, force: true });
}

await main();
