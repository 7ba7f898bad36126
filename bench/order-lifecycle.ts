/**
 * `npm run bench`: the order lifecycle (create → Pay → Ship, 2,000 instances) on
 * Stator/SQLite against raw better-sqlite3 inserting one row per transition, in
 * one run, side by side: concurrency 1 vs one row per commit, concurrency 32 vs
 * 32 rows per commit. Several runs each; medians and ratios are printed.
 *
 * Then the cost of observability on the same lifecycle, at both concurrencies:
 * observers off; metrics + tracing with the OpenTelemetry API and no SDK (what
 * a user who installs nothing gets); metrics + tracing with an SDK exporting
 * to memory (BatchSpanProcessor + an exporter that counts each batch and lets it
 * go, see span-counter.ts); and that plus the
 * transition log (pino to /dev/null). Ratios against "off" are printed.
 *
 * Options (env): BENCH_INSTANCES (2000), BENCH_RUNS (5), BENCH_DIR (os tmpdir),
 * BENCH_OBSERVABILITY=0 to skip the observability tables, =only for them alone, =memory for the memory-store table alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import type { ObservabilityOptions } from '../src/index.js';
import { memoryStore } from '../src/memory.js';
import { sqliteStore } from '../src/sqlite.js';
import { OBSERVERS_OFF, orderLifecycle, type Sample } from './lifecycle.js';
import { SpanCounter } from './span-counter.js';
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

const exporter = new SpanCounter();
const provider = new BasicTracerProvider({
  spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 65_536 })],
});
const devNull = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));

/**
 * Between runs: the spans exported, the log flushed, and the garbage of the
 * run collected (with --expose-gc, as `npm run bench` runs it), so no variant
 * pays for the heap another one left.
 */
async function settle(traced: boolean): Promise<void> {
  await provider.forceFlush();
  // Each transition exported its span: the SDK variants measured real tracing.
  const transitions = exporter.counts().get('stator.transition') ?? 0;
  if (traced && transitions !== TRANSITIONS)
    throw new Error(`expected ${TRANSITIONS} transition spans exported, got ${transitions}`);
  exporter.reset();
  await new Promise<void>((resolve) => devNull.flush(() => resolve()));
  (globalThis as { gc?: () => void }).gc?.();
}

/** The observability variants, by name: what each turns on. */
const VARIANTS: Record<string, () => ObservabilityOptions> = {
  off: () => OBSERVERS_OFF,
  'metrics + tracing, API only': () => ({ metrics: true, tracing: true }),
  'metrics + tracing, SDK to memory': () => ({
    metrics: true,
    tracing: { tracer: provider.getTracer('bench') },
  }),
  '... + transition log': () => ({
    metrics: true,
    tracing: { tracer: provider.getTracer('bench') },
    transitionLog: { logger: devNull },
  }),
};

const traced = (variant: string) => typeof VARIANTS[variant]!().tracing === 'object';

/**
 * One table per store: SQLite (what users run; its fsyncs dominate and vary
 * with the disk) and memory (no I/O: the observers' CPU cost alone).
 */
async function observability(storeName: 'sqlite' | 'memory'): Promise<void> {
  const run = (c: number, o: ObservabilityOptions) =>
    storeName === 'sqlite' ? stator(c, o) : orderLifecycle(memoryStore(), INSTANCES, c, o);
  const names = Object.keys(VARIANTS);
  const rows: string[][] = [
    ['variant', 'c', 'rate/s', 'runs', 'rate vs off', 'CPU µs/transition', 'CPU vs off'],
  ];
  for (const c of [1, 32]) {
    const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    // A discarded warm-up of every variant, then each run in a rotated order, so
    // neither JIT warm-up nor drift in machine load favours the variants run last.
    for (const name of names) {
      await run(c, VARIANTS[name]!());
      await settle(traced(name));
    }
    for (let i = 0; i < RUNS; i++) {
      for (const name of [...names.slice(i % names.length), ...names.slice(0, i % names.length)]) {
        const sample = await run(c, VARIANTS[name]!());
        samples[name]!.push(sample.rate);
        cpu[name]!.push(sample.cpuUs ?? 0);
        await settle(traced(name));
      }
      process.stderr.write(`observability ${storeName} c=${c} run ${i + 1}/${RUNS} done\n`);
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
        fmt(median(cpu[name]!), 1),
        `${fmt(median(cpu[name]!.map((u, i) => u / cpu.off![i]!)), 3)}x`,
      ]);
    }
  }
  console.log(
    `\nobservability on the hot path, ${storeName} store (targets: API only >= 0.95x, SDK >= 0.85x)\n`,
  );
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
  const only = process.env.BENCH_OBSERVABILITY;
  if (only === 'only' || only === 'memory') {
    if (only === 'only') await observability('sqlite');
    await observability('memory');
    await provider.shutdown();
    rmSync(root, { recursive: true, force: true });
    return;
  }
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
  if (process.env.BENCH_OBSERVABILITY !== '0') {
    await observability('sqlite');
    await observability('memory');
  }
  await provider.shutdown();
  rmSync(root, { recursive: true, force: true });
}

await main();
