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
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { orderMachine } from '../examples/order.js';
import { createEngine } from '../src/index.js';
import { sqliteStore } from '../src/sqlite.js';
import { jsonClient } from './http-client.js';
import { fmt, pool, table } from './stats.js';

const STORED = Number(process.env.BENCH_STORED ?? 1_000_000);
const ORDERS = Number(process.env.BENCH_ORDERS ?? 100_000);
const STEP = Number(process.env.BENCH_STEP ?? 20_000);
const NODE_OPTIONS = (process.env.BENCH_NODE_OPTIONS ?? '').split(' ').filter(Boolean);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
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

function serve(): Promise<{ pid: number; url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [...NODE_OPTIONS, CLI, 'serve', 'examples/module.ts', '--port', '0', '--db', `sqlite:${path}`],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.once('exit', (code) => reject(new Error(`stator serve exited (${code}):\n${stderr}`)));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /stator: serving \S+ on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url && child.pid !== undefined) resolve({ pid: child.pid, url, stop });
    });
  });
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
const server = await serve();
const rows = [['after', 'RSS MB', 'heap used MB', 'heap total MB']];
try {
  rows.push(await reading(server.pid, server.url, 'start'));
  const client = jsonClient(server.url, 'node', 32);
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
    rows.push(
      await reading(server.pid, server.url, `${fmt(Math.min(done + STEP, ORDERS))} orders`),
    );
  }
  await new Promise((r) => setTimeout(r, 15_000));
  rows.push(await reading(server.pid, server.url, '15 s idle'));
} finally {
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
}
console.log(table(rows));
console.log(
  `\nserver node flags: ${NODE_OPTIONS.join(' ') || '(none)'}; target: flat, <= 200 MB with 1,000,000 stored`,
);
