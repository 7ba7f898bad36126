/**
 * `npm run bench:versions`: what machine versions cost, on SQLite, in one run.
 *
 * - Live shadow overhead: tickets (create → Assign → Resolve, 2,000 instances,
 *   32 callers) on version 1 without a shadow, with a live shadow on an
 *   identical candidate (every transition stepped twice and compared), and on
 *   version 2 (which diverges at once). Interleaved rounds; medians and the
 *   ratio to no shadow.
 * - Migrations per second: `engine.migrate` of every instance from 1 to 2 at
 *   concurrency 1 and 32 (each is a committed `stator.migrated` event).
 *
 * Options (env): BENCH_INSTANCES (2000), BENCH_RUNS (5), BENCH_DIR (os tmpdir).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migrations } from '../examples/versioned/module.js';
import { ticketV1 } from '../examples/versioned/ticket-v1.js';
import { ticketV2 } from '../examples/versioned/ticket-v2.js';
import { createEngine, type Engine } from '../src/index.js';
import { sqliteStore } from '../src/sqlite.js';
import { fmt, median, pool, table } from './stats.js';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 2000);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const root = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'stator-bench-versions-'));
let dbCounter = 0;
const freshPath = () => join(root, `v${dbCounter++}.db`);

type Shadow = 'none' | 'identical' | 'diverging';

async function open(shadow: Shadow): Promise<Engine> {
  const candidate = shadow === 'identical' ? ticketV1 : ticketV2;
  return createEngine({
    store: sqliteStore({ path: freshPath() }),
    machines: [
      { machine: ticketV1, version: '1' },
      { machine: candidate, version: '2' },
    ],
    migrations: shadow === 'identical' ? [] : migrations,
    rollout: { ticket: { '1': 1 } },
    ...(shadow !== 'none' && { shadow: { ticket: '2' } }),
  });
}

/** Transitions per second of the ticket lifecycle, and how many the shadow compared. */
async function lifecycle(
  shadow: Shadow,
): Promise<{ rate: number; compared: number; skipped: number }> {
  const engine = await open(shadow);
  const t0 = performance.now();
  await pool(INSTANCES, 32, async (i) => {
    const id = `t${i}`;
    await engine.create('ticket', id, { input: { title: id } });
    await engine.send('ticket', id, { type: 'Assign', to: 'ann' });
    await engine.send('ticket', id, { type: 'Resolve' });
  });
  const ms = performance.now() - t0;
  const stats = engine.shadowStats()[0];
  await engine.close();
  return {
    rate: ((INSTANCES * 3) / ms) * 1000,
    compared: stats?.compared ?? 0,
    skipped: stats?.skipped ?? 0,
  };
}

/** Migrations per second of INSTANCES assigned tickets at `concurrency`. */
async function migrationRate(concurrency: number): Promise<number> {
  const engine = await open('none');
  await pool(INSTANCES, 32, async (i) => {
    await engine.create('ticket', `t${i}`, { input: { title: 't' } });
    await engine.send('ticket', `t${i}`, { type: 'Assign', to: 'ann' });
  });
  const t0 = performance.now();
  await pool(INSTANCES, concurrency, async (i) => {
    const moved = await engine.migrate('ticket', `t${i}`, { to: '2' });
    if (!moved.migrated) throw new Error(`t${i} was not migrated`);
  });
  const ms = performance.now() - t0;
  await engine.close();
  return (INSTANCES / ms) * 1000;
}

async function main(): Promise<void> {
  const shadows: Record<Shadow, number[]> = { none: [], identical: [], diverging: [] };
  const compared: number[] = [];
  const skipped: number[] = [];
  const migrate: Record<string, number[]> = { c1: [], c32: [] };
  for (let run = 0; run < RUNS; run++) {
    for (const s of ['none', 'identical', 'diverging'] as const) {
      const r = await lifecycle(s);
      shadows[s].push(r.rate);
      if (s === 'identical') {
        compared.push(r.compared);
        skipped.push(r.skipped);
      }
    }
    migrate.c1?.push(await migrationRate(1));
    migrate.c32?.push(await migrationRate(32));
    process.stderr.write(`run ${run + 1}/${RUNS} done\n`);
  }
  const base = median(shadows.none);
  console.log(
    `\nLive shadow, ${INSTANCES} tickets × 3 transitions, 32 callers, SQLite (${RUNS} runs, medians)\n`,
  );
  console.log(
    table([
      ['shadow', 'transitions/s', 'vs none'],
      ...(['none', 'identical', 'diverging'] as const).map((s) => [
        s,
        fmt(median(shadows[s])),
        `${fmt(median(shadows[s]) / base, 2)}×`,
      ]),
    ]),
  );
  console.log(
    `identical candidate: ${fmt(median(compared))} transitions compared, ${fmt(median(skipped))} skipped (queue full) per run`,
  );
  console.log(`\nMigrations 1 → 2 of ${INSTANCES} tickets (${RUNS} runs, medians)\n`);
  console.log(
    table([
      ['concurrency', 'migrations/s'],
      ['1', fmt(median(migrate.c1 ?? []))],
      ['32', fmt(median(migrate.c32 ?? []))],
    ]),
  );
}

main()
  .finally(() => rmSync(root, { recursive: true, force: true }))
  .catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
