/**
 * `npm run bench:rss`: the resident memory of `stator serve` with many stored
 * instances. Fills a fresh SQLite file with BENCH_STORED orders (created in
 * process, each with its pending payment timer), then starts the built CLI
 * (`node dist/cli/main.js serve examples/module.ts`, as installed users run it;
 * `npm run build` first) on it and drives BENCH_ORDERS more through create →
 * Pay → Ship over HTTP at 32 callers. Every BENCH_STEP orders it prints the
 * server's RSS (from /proc) and its live and total V8 heap (from /metrics),
 * then once more after 15 s idle. Flat means no trend across the rows.
 *
 * Env: BENCH_STORED (1000000), BENCH_ORDERS (100000), BENCH_STEP (20000),
 * BENCH_NODE_OPTIONS (node flags for the server, e.g. --max-old-space-size=100),
 * BENCH_DIR (os tmpdir).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { orderMachine } from '../examples/order.js';
import { createEngine } from '../src/index.js';
import { sqliteStore } from '../src/sqlite.js';
import { jsonClient } from './http-client.js';
import { ROOT, startServer, stopServer } from './serve-process.js';
import { fmt, pool, table } from './stats.js';

const STORED = Number(process.env.BENCH_STORED ?? 1_000_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const STEP = Number(process.env.BENCH_STEP ?? 20_000);
const NODE_OPTIONS = (process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
const CLI = join(ROOT, 'dist/cli/main.js');
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first.`);

const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'stator-bench-rss-'));
const path = join(dir, 'orders.db');

async function fill(): Promise<number> {
  const engine = await createEngine({
    store: sqliteStore({ path }),
    machines: [orderMachine],
    metrics: false,
    tracing: false,
  });
  const t0 = performance.now();
  await pool(STORED, 64, async (i) => {
    await engine.create('order', `s${i}`, { input: { total: 40 } });
  });
  await engine.close();
  return (performance.now() - t0) / 1000;
}

const mb = (bytes: number) => fmt(bytes / 1048576);

async function reading(pid: number, url: string, label: string): Promise<string[]> {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  const text = await (await fetch(`${url}/metrics`)).text();
  const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
  return [
    label,
    mb(rssKb * 1024),
    mb(gauge('nodejs_heap_size_used_bytes')),
    mb(gauge('nodejs_heap_size_total_bytes')),
  ];
}

const filled = await fill();
console.log(`${fmt(STORED)} orders stored in ${fmt(filled, 1)} s; serving them from dist\n`);
const { child, url } = await startServer([
  ...NODE_OPTIONS,
  CLI,
  'serve',
  'examples/module.ts',
  '--port',
  '0',
  '--db',
  `sqlite:${path}`,
]);
const pid = child.pid as number;
const rows = [['after', 'RSS MB', 'heap used MB', 'heap total MB']];
try {
  rows.push(await reading(pid, url, 'start'));
  const client = jsonClient(url, 'node', 32);
  const post = async (p: string, body: unknown) => {
    const res = await client.post(`/v1/machines/order/instances${p}`, body);
    if (res.status >= 300) throw new Error(`POST ${p}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  for (let done = 0; done < ORDERS; done += STEP) {
    await pool(Math.min(STEP, ORDERS - done), 32, async (i) => {
      const id = `r${done + i}`;
      await post('', { id, input: { total: 40 } });
      await post(`/${id}/events`, { type: 'Pay' });
      await post(`/${id}/events`, { type: 'Ship', carrier: 'dhl' });
    });
    rows.push(await reading(pid, url, `${fmt(Math.min(done + STEP, ORDERS))} orders`));
  }
  await new Promise((r) => setTimeout(r, 15_000));
  rows.push(await reading(pid, url, '15 s idle'));
} finally {
  await stopServer(child);
  rmSync(dir, { recursive: true, force: true });
}
console.log(table(rows));
console.log(
  `\nserver node flags: ${NODE_OPTIONS.join(' ') || '(none)'}; target: flat, <= 200 MB with 1,000,000 stored`,
);
