import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROMETHEUS_MISSING, which } from './test-support/binaries.js';

/**
 * The real thing: Debian's `prometheus` scrapes a live `stator serve` (random
 * ports, a temp dir), and a metric the server counted comes back through
 * Prometheus's HTTP API.
 */
const ROOT = join(import.meta.dirname, '../..');
const prometheus = which('prometheus');

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

function waitFor(child: ChildProcess, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what} did not start: ${seen}`)), 30_000);
    const look = (d: Buffer) => {
      seen += d;
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    };
    child.stderr?.on('data', look);
    child.stdout?.on('data', look);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code}): ${seen}`)));
  });
}

describe.skipIf(!prometheus)(
  `Prometheus scraping stator serve (${prometheus ? 'prometheus found' : PROMETHEUS_MISSING})`,
  () => {
    let dir: string;
    let stator: ChildProcess;
    let prom: ChildProcess;
    let statorUrl = '';
    let promUrl = '';

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'stator-prometheus-'));
      stator = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          'src/cli/main.ts',
          'serve',
          'examples/module.ts',
          '--port',
          '0',
          '--db',
          `sqlite:${join(dir, 'stator.db')}`,
          '--log-level',
          'warn',
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      statorUrl = (await waitFor(stator, /on (http:\/\/[\d.:]+)/, 'stator serve'))[1]!;
      const port = await freePort();
      promUrl = `http://127.0.0.1:${port}`;
      const config = join(dir, 'prometheus.yml');
      await writeFile(
        config,
        [
          'global: { scrape_interval: 1s, evaluation_interval: 1s }',
          'scrape_configs:',
          '  - job_name: stator',
          `    static_configs: [{ targets: ['${new URL(statorUrl).host}'] }]`,
          '',
        ].join('\n'),
      );
      prom = spawn(
        prometheus!,
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${join(dir, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${port}`,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      await waitFor(prom, /Server is ready to receive web requests/, 'prometheus');
    }, 60_000);

    afterAll(async () => {
      prom?.kill('SIGTERM');
      stator?.kill('SIGTERM');
      await Promise.all(
        [prom, stator].map(
          (c) => c && c.exitCode === null && new Promise((r) => c.once('exit', r)),
        ),
      );
      await rm(dir, { recursive: true, force: true });
    });

    it('queries a transition the server counted back through the Prometheus HTTP API', async () => {
      const created = await fetch(`${statorUrl}/v1/machines/order/instances`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'o-prom', input: { total: 40 } }),
      });
      expect(created.status).toBe(201);
      const query = encodeURIComponent(
        'stator_transitions_total{machine="order",event="xstate.init",outcome="applied"}',
      );
      let result: { metric: Record<string, string>; value: [number, string] }[] = [];
      for (let i = 0; i < 60 && result.length === 0; i++) {
        const res = await fetch(`${promUrl}/api/v1/query?query=${query}`);
        const body = (await res.json()) as { status: string; data: { result: typeof result } };
        expect(body.status).toBe('success');
        result = body.data.result;
        if (result.length === 0) await new Promise((r) => setTimeout(r, 500));
      }
      expect(result).toHaveLength(1);
      expect(result[0]?.metric).toMatchObject({ job: 'stator', machine: 'order' });
      expect(Number(result[0]?.value[1])).toBe(1);
      // The target is up: Prometheus parsed the whole scrape.
      const up = (await (await fetch(`${promUrl}/api/v1/query?query=up`)).json()) as {
        data: { result: { value: [number, string] }[] };
      };
      expect(up.data.result[0]?.value[1]).toBe('1');
      // `stator serve` owns its process: its memory and event loop are scraped too.
      for (const metric of ['process_resident_memory_bytes', 'nodejs_eventloop_lag_p99_seconds']) {
        const res = await fetch(`${promUrl}/api/v1/query?query=${metric}`);
        const body = (await res.json()) as {
          data: { result: { metric: Record<string, string>; value: [number, string] }[] };
        };
        expect(body.data.result, metric).toHaveLength(1);
        expect(Number(body.data.result[0]?.value[1]), metric).toBeGreaterThan(0);
      }
    }, 60_000);
  },
);
