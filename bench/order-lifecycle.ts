/**
 * `npm run bench`: the order lifecycle (create → Pay → Ship, 2,000 instances) on
 * Stator/SQLite against raw better-sqlite3 inserting one row per transition, in
 * one run, side by side: concurrency 1 vs one row per commit, concurrency 32 vs
 * 32 rows per commit. Several runs each; medians and ratios are printed.
 *
 * Then the cost of observability on the same lifecycle, at both concurrencies:
 * observers off; metrics + tracing with the OpenTelemetry API and no SDK (what
 * a user who installs nothing gets); metrics + tracing with an SDK exporting
 * to memory (BatchSpanProcessor + InMemorySpanExporter); and that plus the
 * transition log (pino to /dev/null). Ratios against "off" are printed.
 *
 * Options (env): BENCH_INSTANCES (2000), BENCH_RUNS (5), BENCH_DIR (os tmpdir),
 * BENCH_OBSERVABILITY=0 to skip the observability rows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
} from '@opentelemetry/sdk-trace-base';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import type { ObservabilityOptions } from '../src/index.js';
import { sqliteStore } from '../src/sqlite.js';
import { OBSERVERS_OFF, orderLifecycle, type Sample } from './lifecycle.js';
import { fmt, median, table } from './stats.js';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const TRANSITIONS = INSTANCES * 3;
const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'stator-bench-'));
let dbCounter = 0;
const freshPath = () => join(root, `b${dbCounter++}.db`);

async function stator(concurrency: number, observability = OBSERVERS_OFF): Promise<Sample> {
  return orderLifecycle(sqliteStore({ path: freshPath() }), INSTANCES, concurrency, observability);
}

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 65_536 })],
});
const devNull = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));

/** The observability variants, by name: what each turns on. */
const VARIANTS: Record<string, () => ObservabilityOptions> = {
  off: () => OBSERVERS_OFF,
  'metrics + tracing, API only': () => ({ metrics: true, tracing: true }),
  'metrics + tracing, SDK to memory': () => {
    exporter.reset();
    return { metrics: true, tracing: { tracer: provider.getTracer('bench') } };
  },
  '... + transition log': () => ({
    metrics: true,
    tracing: { tracer: provider.getTracer('bench') },
    transitionLog: { logger: devNull },
  }),
};

async function observability(): Promise<void> {
  const names = Object.keys(VARIANTS);
  const rows: string[][] = [['variant', 'c', 'rate/s', 'runs', 'vs off']];
  for (const c of [1, 32]) {
    const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    for (let run = 0; run < RUNS; run++) {
      for (const name of names) {
        samples[name]!.push((await stator(c, VARIANTS[name]!())).rate);
        await provider.forceFlush();
      }
      process.stderr.write(`observability c=${c} run ${run + 1}/${RUNS} done\n`);
    }
    const off = samples.off!;
    for (const name of names) {
      const ratio = median(samples[name]!.map((r, i) => r / off[i]!));
      rows.push([
        name,
        String(c),
        fmt(median(samples[name]!)),
        samples[name]!.map((r) => fmt(r)).join(' '),
        `${fmt(ratio, 3)}x`,
      ]);
    }
  }
  console.log('\nobservability on the hot path (targets: API only >= 0.95x, SDK >= 0.85x)\n');
  console.log(table(rows));
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
  if (process.env.BENCH_OBSERVABILITY !== '0') await observability();
  await provider.shutdown();
  rmSync(root, { recursive: true, force: true });
}

await main();
