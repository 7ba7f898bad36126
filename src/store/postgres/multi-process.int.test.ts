import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../runtime/engine.js';
import { postgresStore } from './postgres-store.js';
import { dropSchema, pgUrl, testSchema } from './test-support/pg-server.js';
import { COOL_MS, DONE_EVENT, TIMER_EVENT, taskMachine } from './test-support/task-machine.js';

const CHILD = fileURLToPath(new URL('./test-support/chaos-child.ts', import.meta.url));
const PROCESSES = 3;
const PER_PROCESS = 8;
const STREAM_MS = 12_000;
const KILLS = 4;

/** One running chaos child and what it reported. */
interface Child {
  readonly proc: ChildProcessWithoutNullStreams;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  ready: Promise<void>;
  stopped: Promise<void>;
}

const acks: { id: string; key: string; seq: string }[] = [];
const errors: string[] = [];
let conflicts = 0;

function start(url: string, schema: string, n: number, incarnation: number): Child {
  const proc = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      CHILD,
      url,
      schema,
      `${n}`,
      `${incarnation}`,
      `${PER_PROCESS}`,
      `${PROCESSES}`,
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let readyDone: () => void = () => {};
  let stoppedDone: () => void = () => {};
  const child: Child = {
    proc,
    exited: new Promise((resolve) =>
      proc.once('exit', (code, signal) => resolve({ code, signal })),
    ),
    ready: new Promise((r) => {
      readyDone = r;
    }),
    stopped: new Promise((r) => {
      stoppedDone = r;
    }),
  };
  let buffer = '';
  proc.stdout.on('data', (d: Buffer) => {
    buffer += d.toString();
    const lines = buffer.split('\n');
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      const [word, a, b, c] = line.split(' ');
      if (word === 'ack') acks.push({ id: a!, key: b!, seq: c! });
      else if (word === 'conflicts') conflicts += 1;
      else if (word === 'error') errors.push(line);
      else if (word === 'ready') readyDone();
      else if (word === 'stopped') stoppedDone();
    }
  });
  proc.stderr.on('data', (d: Buffer) => errors.push(`stderr ${n}: ${d.toString()}`));
  return child;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('three processes on one PostgreSQL schema, one of them SIGKILLed and restarted', () => {
  let url: string;
  let schema: string;
  let db: pg.Pool;

  beforeAll(async () => {
    url = await pgUrl();
    schema = testSchema();
    db = new pg.Pool({ connectionString: url, max: 2 });
    await db.query(`CREATE SCHEMA "${schema}"`);
    await db.query(`CREATE TABLE "${schema}".chaos_journal (
      key text, attempt int, phase text, pid int, committed boolean, at timestamptz DEFAULT now())`);
  });
  afterAll(async () => {
    await db.end();
    await dropSchema(url, schema);
  });

  const q = async <R extends pg.QueryResultRow>(sql: string): Promise<R[]> =>
    (await db.query<R>(sql.replaceAll('$s', `"${schema}"`))).rows;

  it('keeps every acknowledged event once, without gaps; fires every timer and completes every activity once', async () => {
    const children = [0, 1, 2].map((n) => start(url, schema, n, 0));
    await Promise.all(children.map((c) => c.ready));
    const t0 = Date.now();
    for (let kill = 1; kill <= KILLS; kill++) {
      await sleep(t0 + (kill * STREAM_MS) / (KILLS + 1) - Date.now());
      children[0]!.proc.kill('SIGKILL');
      expect((await children[0]!.exited).signal).toBe('SIGKILL');
      await sleep(200);
      children[0] = start(url, schema, 0, kill);
      await children[0].ready;
    }
    await sleep(t0 + STREAM_MS - Date.now());
    for (const c of children) c.proc.stdin.write('stop\n');
    await Promise.all(children.map((c) => c.stopped));

    // Settle: every activity ran, every timer fired, every task is back to idle.
    await expect
      .poll(
        async () => {
          const [row] = await q<{ busy: string }>(`SELECT
            (SELECT count(*) FROM $s.stator_outbox) + (SELECT count(*) FROM $s.stator_timers)
            + (SELECT count(*) FROM $s.stator_instances WHERE state_key <> 'idle') AS busy`);
          return Number(row?.busy);
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe(0);
    for (const c of children) c.proc.stdin.end();
    for (const c of children) expect((await c.exited).code).toBe(0);

    expect(errors.filter((e) => !e.startsWith('error SEQUENCE_CONFLICT'))).toEqual([]);
    expect(conflicts).toBeGreaterThan(0); // processes did race on instances
    const sendAcks = acks.filter((a) => !a.key.startsWith('create-'));
    expect(sendAcks.length).toBeGreaterThan(300);

    // Every acknowledged event is stored exactly once, at the seq it was acknowledged with.
    const events = await q<{
      id: string;
      seq: number;
      type: string;
      key: string | null;
      at: number;
    }>(
      `SELECT id, seq::int, type, idempotency_key AS key, recorded_at AS at
       FROM $s.stator_events ORDER BY id, seq`,
    );
    const byKey = new Map<string, { id: string; seq: number }[]>();
    for (const e of events) if (e.key) byKey.set(e.key, [...(byKey.get(e.key) ?? []), e]);
    for (const [k, found] of byKey) expect(found, k).toHaveLength(1);
    for (const a of sendAcks)
      expect(byKey.get(a.key), a.key).toEqual([
        { ...byKey.get(a.key)![0], id: a.id, seq: Number(a.seq) },
      ]);

    const instances = await q<{ id: string; seq: number }>(
      `SELECT id, seq::int FROM $s.stator_instances`,
    );
    expect(instances).toHaveLength(PROCESSES * PER_PROCESS);
    const verifier = await createEngine({
      store: postgresStore({ url, schema }),
      // The verifier only reads: its do-nothing activity is a changed
      // implementation of version 1, declared compatible.
      machines: [{ machine: taskMachine(async () => {}), version: '1', compatible: true }],
      dispatch: 'manual',
    });
    const journal = await q<{ key: string; phase: string; committed: boolean }>(
      'SELECT key, phase, committed FROM $s.chaos_journal',
    );
    try {
      for (const { id, seq } of instances) {
        const history = events.filter((e) => e.id === id);
        // No gaps: seq 1..n.
        expect(history.map((e) => e.seq)).toEqual(Array.from({ length: seq }, (_, i) => i + 1));
        // Every Go ran its activity (key task/<id>/<seq>/0) to completion, and its result came back once.
        const goes = history.filter((e) => e.type === 'Go');
        const done = history.filter((e) => e.type === DONE_EVENT);
        expect(done.length, id).toBe(goes.length);
        for (const go of goes) {
          const key = `task/${id}/${go.seq}/0`;
          expect(
            journal.some((j) => j.key === key && j.phase === 'done'),
            key,
          ).toBe(true);
          expect(
            done.filter((d) => d.key === `${key}/result`),
            key,
          ).toHaveLength(1);
        }
        // Every timer fired once, and not before it was due (cooling is left by the timer alone).
        const fired = history.filter((e) => e.type === TIMER_EVENT);
        expect(fired.length, id).toBe(done.length);
        for (const timer of fired) {
          const entered = history.filter((e) => e.type === DONE_EVENT && e.seq < timer.seq).at(-1);
          // (a few ms of tolerance: the scheduler's setTimeout and Date.now round differently)
          expect(timer.at - entered!.at, id).toBeGreaterThanOrEqual(COOL_MS - 5);
        }
        const state = await verifier.get('task', id);
        expect(state.context).toMatchObject({ runs: done.length, cools: fired.length });
        expect(await verifier.replay('task', id)).toEqual({
          value: state.value,
          context: state.context,
          status: state.status,
          seq: state.seq,
        });
      }
      // No activity ran before the transition that started it was committed.
      expect(journal.filter((j) => j.phase === 'start' && !j.committed)).toEqual([]);
      const discarded = await q(`SELECT * FROM $s.stator_audit WHERE outcome = 'discarded'`);
      expect(discarded).toEqual([]);
    } finally {
      await verifier.close();
    }
  }, 150_000);
});
