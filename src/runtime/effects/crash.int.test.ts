import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { sqliteStore } from '../../store/sqlite/sqlite-store.js';

const child = fileURLToPath(new URL('../test-support/effects-crash-child.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'stator-fx-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(
  args: string[],
): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    proc.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    proc.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
}

async function crashThenRecover(scenario: string) {
  const db = join(dir, `${scenario}.db`);
  const journal = join(dir, `${scenario}.journal`);
  const crashed = await run([db, journal, scenario, 'crash']);
  expect(crashed.signal, crashed.err).toBe('SIGKILL');
  const before = await readDb(db, scenario === 'timers' ? 'alarm' : 'job');
  const recovered = await run([db, journal, scenario, 'recover']);
  expect(recovered.code, recovered.err).toBe(0);
  expect(recovered.out).toContain('settled');
  const after = await readDb(db, scenario === 'timers' ? 'alarm' : 'job');
  const lines = existsSync(journal)
    ? readFileSync(journal, 'utf8').trim().split('\n').filter(Boolean)
    : [];
  return { before, after, runs: lines.filter((l) => l.startsWith('run ')).map(parseRun), lines };
}

function parseRun(line: string) {
  const [, key, attempt, committed] = line.split(' ');
  return {
    key: key as string,
    attempt: Number(attempt),
    committed: committed === 'committed=true',
  };
}

async function readDb(path: string, machine: string) {
  const store = sqliteStore({ path });
  await store.open();
  const out: Record<string, { status: string; types: string[] }> = {};
  for (const id of ['j1', 'j2', 'j3']) {
    const row = await store.getInstance({ machine, id });
    const events = await store.readEvents({ machine, id });
    out[id] = { status: row?.status ?? 'missing', types: events.map((e) => e.type) };
  }
  await store.close();
  return out;
}

/** Every activity run saw its transition committed, every key completed exactly once, retries kept the key. */
function expectEffectsSound(result: Awaited<ReturnType<typeof crashThenRecover>>) {
  for (const r of result.runs) expect(r.committed, `ran before commit: ${r.key}`).toBe(true);
  for (const id of ['j1', 'j2', 'j3']) {
    expect(result.after[id]?.status).toBe('done');
    expect(result.after[id]?.types).toEqual(['xstate.init', 'Start', 'xstate.done.actor.w']);
    const keys = new Set(
      result.runs.filter((r) => r.key.startsWith(`job/${id}/`)).map((r) => r.key),
    );
    expect(keys).toEqual(new Set([`job/${id}/2/0`]));
  }
}

describe('effects survive SIGKILL', () => {
  it('after commit, before the activity starts: the activity runs after restart', async () => {
    const result = await crashThenRecover('before-activity');
    expect(Object.values(result.before).some((s) => s.types.includes('Start'))).toBe(true);
    expectEffectsSound(result);
  }, 60_000);

  it('during the activity: it is resumed (at least once) with the same key', async () => {
    const result = await crashThenRecover('during-activity');
    expect(result.runs.length).toBeGreaterThan(3); // the interrupted run and its re-run
    expectEffectsSound(result);
  }, 60_000);

  it('after the activity, before its result commits: re-run with the same key, result applied once', async () => {
    const result = await crashThenRecover('after-activity');
    expect(result.lines.some((l) => l.startsWith('finished'))).toBe(true);
    const doneBefore = Object.values(result.before).filter((s) =>
      s.types.includes('xstate.done.actor.w'),
    );
    expect(doneBefore.length).toBeLessThan(3); // at least one result was lost with the process
    expectEffectsSound(result);
  }, 60_000);

  it('while timers are due: they fire on start, each exactly once', async () => {
    const result = await crashThenRecover('timers');
    for (const id of ['j1', 'j2', 'j3']) {
      expect(result.before[id]?.types).toEqual(['xstate.init']);
      expect(result.after[id]).toEqual({
        status: 'done',
        types: ['xstate.init', 'xstate.after.300.alarm.armed'],
      });
    }
  }, 60_000);
});
