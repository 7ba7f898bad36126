/**
 * `npm run bench:http`: the order lifecycle (create → Pay → Ship, every
 * transition durable) through `stator serve` over HTTP beside the same engine
 * in process, on SQLite and on PostgreSQL, at concurrency 1 and 32, in one
 * run. Each round runs every contender once (fresh SQLite file / fresh
 * PostgreSQL schema each), in an order rotated every round; medians, and the
 * ratio HTTP / in process per store and concurrency (median of the per-round
 * ratios).
 *
 * HTTP side: a real child process, `node --import tsx src/cli/main.ts
 * serve examples/module.ts --port 0 --db <url> --log-level warn`, driven over
 * HTTP/1.1 keep-alive by `node:http` with one socket per caller (BENCH_CLIENT=
 * fetch for undici's fetch, as the peers' harness; see http-client.ts). The
 * client's own CPU per transition is printed beside the server's. Per order: POST
 * /v1/machines/order/instances, POST …/events Pay, POST …/events Ship, each
 * answered after its commit. In process: createEngine over the same store
 * kind, with the module's machines, payload schemas and activities (what the
 * server registers), the same calls.
 *
 * The HTTP floor beside them: the same requests to a Hono app on the same
 * adapter that only parses and answers them (http-floor.ts), at both
 * concurrencies in every round. Its rate is what HTTP alone allows on this
 * machine with the client on the same cores, the ceiling for `stator serve`.
 *
 * Observers, alike on both sides (BENCH_OBSERVERS):
 * - `off` (default): no metrics, no transition log; OpenTelemetry tracing
 *   through the API with no SDK installed (serve has no switch for it, so the
 *   in-process engine keeps it too).
 * - `metrics`: metrics on as well (serve's default); the mean group-commit
 *   size in writes (stator_commit_batch_size sum / count; transitions and the lazy effect bookkeeping that rides along) is then read from each side's
 *   registry (GET /metrics for the server) and printed.
 * Both sides do BENCH_WARMUP (300) discarded warm-up orders on their fresh store
 * first: the server is a fresh process each run, and its first thousand
 * requests run mostly unoptimised code (with 50, a third of a c=32 run). CPU
 * per transition: the server process's (from /proc) against this process's
 * for the in-process engine.
 *
 * Env: BENCH_INSTANCES (2000, at c=32), BENCH_C1_INSTANCES (300, at c=1),
 * BENCH_RUNS (3), BENCH_STORES (sqlite,postgres), BENCH_OBSERVERS (off), BENCH_CLIENT (node),
 * STATOR_PG_URL (postgres://postgres@127.0.0.1:5432/test), BENCH_DIR (os tmpdir).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as orderModule from '../examples/module.js';
import { normalizeModule } from '../src/host/module.js';
import { createEngine, type ObservabilityOptions, type ObservedEngine } from '../src/index.js';
import { postgresStore } from '../src/postgres.js';
import { sqliteStore } from '../src/sqlite.js';
import { dropSchema, testSchema } from '../src/store/postgres/test-support/pg-server.js';
import type { Store } from '../src/store/types.js';
import { type ClientKind, jsonClient } from './http-client.js';
import { ROOT, startServer, stopServer } from './serve-process.js';
import { fmt, median, pool, table } from './stats.js';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2000);
const C1_INSTANCES = Number(process.env.BENCH_C1_INSTANCES ?? 300);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const STORES = (process.env.BENCH_STORES ?? 'sqlite,postgres').split(',') as StoreKind[];
const OBSERVERS = process.env.BENCH_OBSERVERS ?? 'off';
const CLIENT = (process.env.BENCH_CLIENT ?? 'node') as ClientKind;
const PG_URL = process.env.STATOR_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const WARMUP = Number(process.env.BENCH_WARMUP ?? 300);
const CONCURRENCIES = [1, 32] as const;
const TICK_US = 1e6 / Number(execFileSync('getconf', ['CLK_TCK']).toString().trim() || 100);

type StoreKind = 'sqlite' | 'postgres';
type Side = 'http' | 'inproc' | 'floor';

if (OBSERVERS !== 'off' && OBSERVERS !== 'metrics') {
  throw new Error(`BENCH_OBSERVERS is off or metrics; got "${OBSERVERS}".`);
}
if (CLIENT !== 'node' && CLIENT !== 'fetch') {
  throw new Error(`BENCH_CLIENT is node or fetch; got "${CLIENT}".`);
}
for (const s of STORES) {
  if (s !== 'sqlite' && s !== 'postgres') throw new Error(`BENCH_STORES: unknown store "${s}".`);
}
const metricsOn = OBSERVERS === 'metrics';
/** In process: what `stator serve` turns on with the flags below (tracing: API only, no SDK). */
const OBSERVERS_IN_PROCESS: ObservabilityOptions = { metrics: metricsOn };
/** `stator serve` from the sources, on the example module. */
const SERVE = ['--import', 'tsx', 'src/cli/main.ts', 'serve', 'examples/module.ts'];
const SERVE_FLAGS = ['--log-level', 'warn', '--transition-log', 'off'].concat(
  metricsOn ? [] : ['--no-metrics'],
);

interface Sample {
  rate: number;
  /** CPU (user + system) per transition, µs: the server process's, or this process's in process. */
  cpuUs: number;
  /** Mean writes per group commit, lazy ones (effect bookkeeping) included; metrics mode only. */
  batch?: number;
  /** Over HTTP: this process's CPU (the client's) per transition, µs. */
  clientCpuUs?: number;
}

const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'stator-bench-http-'));
let files = 0;

/** A fresh database of `kind`: its `--db` URL, a store on it, and how to throw it away. */
function freshDb(kind: StoreKind): {
  url: string;
  store: () => Store;
  drop: () => Promise<void>;
} {
  if (kind === 'sqlite') {
    const path = join(dir, `b${files++}.db`);
    return {
      url: `sqlite:${path}`,
      store: () => sqliteStore({ path }),
      drop: async () => {
        for (const suffix of ['', '-wal', '-shm']) rmSync(path + suffix, { force: true });
      },
    };
  }
  const schema = testSchema();
  return {
    url: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}schema=${schema}`,
    store: () => postgresStore({ url: PG_URL, schema }),
    drop: () => dropSchema(PG_URL, schema),
  };
}

/** The lifecycle of `count` orders with `concurrency` callers; `prefix` keeps ids apart. */
async function lifecycle(
  calls: Calls,
  count: number,
  concurrency: number,
  prefix: string,
): Promise<void> {
  await pool(count, concurrency, async (i) => {
    const id = `${prefix}${i}`;
    await calls.create(id);
    const paid = await calls.send(id, { type: 'Pay' });
    if (JSON.stringify(paid) !== '{"paid":"awaitingPacking"}') {
      throw new Error(`Pay led to ${JSON.stringify(paid)}`);
    }
    const shipped = await calls.send(id, { type: 'Ship', carrier: 'dhl' });
    if (shipped !== 'shipped') throw new Error(`Ship led to ${JSON.stringify(shipped)}`);
  });
}

interface Calls {
  create(id: string): Promise<void>;
  /** Sends an event; resolves with the state value after it. */
  send(id: string, event: { type: string; [key: string]: unknown }): Promise<unknown>;
}

async function timed(calls: Calls, count: number, concurrency: number, cpu: () => number) {
  await lifecycle(calls, WARMUP, Math.min(concurrency, WARMUP), 'warm-');
  const cpu0 = cpu();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  await lifecycle(calls, count, concurrency, 'o');
  const ms = performance.now() - t0;
  const own = process.cpuUsage(own0);
  const transitions = count * 3;
  return {
    rate: (transitions / ms) * 1000,
    cpuUs: (cpu() - cpu0) / transitions,
    /** This process's CPU per transition: the client's, over HTTP. */
    ownCpuUs: (own.user + own.system) / transitions,
  };
}

/** Mean of a prom-client histogram from its `_sum` and `_count`. */
function meanOf(promText: string, name: string): number {
  const value = (suffix: string) =>
    Number(new RegExp(`^${name}_${suffix}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(promText)?.[1]);
  return value('sum') / value('count');
}

async function inProcess(kind: StoreKind, count: number, concurrency: number): Promise<Sample> {
  const db = freshDb(kind);
  const mod = normalizeModule(orderModule);
  const engine: ObservedEngine = await createEngine({
    store: db.store(),
    machines: mod.registrations,
    ...(mod.activities !== undefined && { activities: mod.activities }),
    ...OBSERVERS_IN_PROCESS,
  });
  const calls: Calls = {
    create: async (id) => {
      await engine.create('order', id, { input: { total: 40 } });
    },
    send: async (id, event) => (await engine.send('order', id, event)).value,
  };
  const cpu = () => {
    const u = process.cpuUsage();
    return u.user + u.system;
  };
  try {
    const sample: Sample = await timed(calls, count, concurrency, cpu);
    if (metricsOn)
      sample.batch = meanOf(await engine.metrics.metrics(), 'stator_commit_batch_size');
    return sample;
  } finally {
    await engine.close();
    await db.drop();
  }
}

/** CPU time (user + system) of process `pid` so far, µs. */
function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_US; // utime, stime (fields 14, 15)
}

/** The floor server (http-floor.ts) as a child process, once it listens. */
function startFloor(): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/http-floor.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the floor server exited (${code})`)));
    child.stdout?.on('data', (chunk: Buffer) => {
      const port = /listening (\d+)/.exec(chunk.toString())?.[1];
      if (port) resolve({ child, url: `http://127.0.0.1:${port}` });
    });
  });
}

async function overHttp(
  kind: StoreKind | 'floor',
  count: number,
  concurrency: number,
): Promise<Sample> {
  const db = kind === 'floor' ? undefined : freshDb(kind);
  const { child, url } =
    db === undefined
      ? await startFloor()
      : await startServer([...SERVE, '--port', '0', '--db', db.url, ...SERVE_FLAGS]);
  const client = jsonClient(url, CLIENT, concurrency);
  const post = async (path: string, body: unknown, status: number) => {
    const res = await client.post(`/v1/machines/order/instances${path}`, body);
    if (res.status !== status)
      throw new Error(`POST ${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { value?: unknown };
  };
  const calls: Calls = {
    create: async (id) => {
      await post('', { id, input: { total: 40 } }, 201);
    },
    send: async (id, event) => (await post(`/${id}/events`, event, 200)).value,
  };
  try {
    const { ownCpuUs, ...sample }: Sample & { ownCpuUs: number } = await timed(
      calls,
      count,
      concurrency,
      () => processCpuUs(child.pid as number),
    );
    sample.clientCpuUs = ownCpuUs;
    if (metricsOn && db !== undefined) {
      sample.batch = meanOf(
        await (await fetch(`${url}/metrics`)).text(),
        'stator_commit_batch_size',
      );
    }
    return sample;
  } finally {
    client.close();
    await stopServer(child);
    await db?.drop();
  }
}

interface Contender {
  key: string;
  kind: StoreKind | 'floor';
  side: Side;
  concurrency: number;
}

async function main(): Promise<void> {
  const contenders: Contender[] = [];
  for (const kind of STORES)
    for (const concurrency of CONCURRENCIES)
      for (const side of ['inproc', 'http'] as const)
        contenders.push({ key: `${kind}/${concurrency}/${side}`, kind, side, concurrency });
  for (const concurrency of CONCURRENCIES)
    contenders.push({ key: `floor/${concurrency}`, kind: 'floor', side: 'floor', concurrency });
  const results = new Map<string, Sample[]>(contenders.map((c) => [c.key, []]));
  const count = (c: number) => (c === 1 ? C1_INSTANCES : INSTANCES);
  for (let run = 0; run < RUNS; run++) {
    // Interleaved and rotated, so drift in machine load hits every contender alike.
    const shift = (run * 3) % contenders.length;
    for (const c of [...contenders.slice(shift), ...contenders.slice(0, shift)]) {
      const n = count(c.concurrency);
      const sample =
        c.side === 'inproc' && c.kind !== 'floor'
          ? await inProcess(c.kind, n, c.concurrency)
          : await overHttp(c.kind, n, c.concurrency);
      results.get(c.key)?.push(sample);
    }
    process.stderr.write(`round ${run + 1}/${RUNS} done\n`);
  }

  const at = (key: string) => results.get(key) ?? [];
  const rates = (key: string) => at(key).map((s) => s.rate);
  console.log(
    `order lifecycle (create → Pay → Ship), ${INSTANCES} orders at c=32, ${C1_INSTANCES} at c=1, 3 transitions each; ${RUNS} interleaved rounds, medians (transitions/s)`,
  );
  console.log(
    `observers on both sides: ${metricsOn ? 'metrics + ' : ''}tracing through the OpenTelemetry API without an SDK; no transition log${metricsOn ? '' : ', no metrics'}`,
  );
  console.log(
    `server: node --import tsx src/cli/main.ts serve examples/module.ts --port 0 --db <fresh db> ${SERVE_FLAGS.join(' ')}`,
  );
  console.log(
    `client: ${CLIENT === 'node' ? 'node:http, a keep-alive agent with one socket per caller' : "fetch (undici), as the peers' harness"} (BENCH_CLIENT=${CLIENT})\n`,
  );
  const header = ['store', 'c', 'side', 'rate/s', 'runs', 'CPU µs/transition', 'client CPU µs'];
  if (metricsOn) header.push('writes/commit');
  const rows: string[][] = [header];
  for (const c of contenders) {
    const row = [
      c.kind === 'floor' ? '-' : c.kind,
      String(c.concurrency),
      { http: 'HTTP (stator serve)', inproc: 'in process', floor: 'HTTP floor (no engine)' }[
        c.side
      ],
      fmt(median(rates(c.key))),
      rates(c.key)
        .map((r) => fmt(r))
        .join(' '),
      fmt(median(at(c.key).map((s) => s.cpuUs)), 1),
      c.side === 'inproc' ? '-' : fmt(median(at(c.key).map((s) => s.clientCpuUs ?? Number.NaN)), 1),
    ];
    if (metricsOn) row.push(fmt(median(at(c.key).map((s) => s.batch ?? Number.NaN)), 1));
    rows.push(row);
  }
  console.log(table(rows));
  console.log('\nratio HTTP / in process (median of per-round ratios; target at c=32 >= 0.70):');
  const ratios: string[][] = [
    ['store', 'c', 'HTTP / in process', 'per round', 'floor / in process', 'HTTP / floor'],
  ];
  const perRound = (a: number[], b: number[]) => a.map((r, i) => r / (b[i] as number));
  for (const kind of STORES) {
    for (const c of CONCURRENCIES) {
      const http = rates(`${kind}/${c}/http`);
      const inproc = rates(`${kind}/${c}/inproc`);
      const floor = rates(`floor/${c}`);
      const each = perRound(http, inproc);
      ratios.push([
        kind,
        String(c),
        `${fmt(median(each), 2)}x`,
        each.map((r) => fmt(r, 2)).join(' '),
        `${fmt(median(perRound(floor, inproc)), 2)}x`,
        `${fmt(median(perRound(http, floor)), 2)}x`,
      ]);
    }
  }
  console.log(table(ratios));
  rmSync(dir, { recursive: true, force: true });
}

await main();
