import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { collect, ROOT } from '../cli/test-support/processes.js';
import { sqliteStore } from '../store/sqlite/sqlite-store.js';
import { createEngine } from './engine.js';
import { shopMachine } from './test-support/shop-machine.js';
import type { PrintedSpan } from './test-support/traced-process.js';

const SCRIPT = fileURLToPath(new URL('./test-support/traced-process.ts', import.meta.url));

/** Runs one step in a child process of its own; resolves with the spans it finished. */
async function inChild(args: readonly string[]): Promise<PrintedSpan[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const run = await collect(child);
  if (run.code !== 0) throw new Error(`child exited with ${run.code}: ${run.err}`);
  return JSON.parse(run.out) as PrintedSpan[];
}

const transition = (spans: readonly PrintedSpan[], eventType: string) => {
  const span = spans.find(
    (s) => s.name === 'stator.transition' && s.attributes['stator.event.type'] === eventType,
  );
  if (span === undefined) throw new Error(`no ${eventType} transition in ${JSON.stringify(spans)}`);
  return span;
};

describe('tracing across two processes on one SQLite file', () => {
  let dir: string;
  let db: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stator-tracing-processes-'));
    db = join(dir, 'shop.db');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("a process's transition continues the trace another process created, under its creation span", async () => {
    const first = await inChild([db, 'create', 's1']);
    const created = transition(first, 'xstate.init');
    expect(created.parentSpanId).toBeUndefined();
    expect(created.attributes).toMatchObject({ 'stator.seq': 1, 'stator.state.to': 'pending' });

    const second = await inChild([db, 'send', 's1', 'Pay', 'paid']);
    const pay = transition(second, 'Pay');
    expect(pay.traceId).toBe(created.traceId);
    expect(pay.parentSpanId).toBe(created.spanId);
    expect(pay.attributes).toMatchObject({ 'stator.seq': 2, 'stator.state.from': 'pending' });
    // Everything the second process did for the instance is in the one trace.
    expect(new Set(second.map((s) => s.traceId))).toEqual(new Set([created.traceId]));
    const charge = second.find((s) => s.name === 'stator.activity');
    expect(charge?.parentSpanId).toBe(pay.spanId);
    expect(transition(second, 'xstate.done.actor.0.shop.charging').parentSpanId).toBe(
      created.spanId,
    );
  });

  it('a child process sends to an instance this process created: its span is a child of ours', async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    const engine = await createEngine({
      store: sqliteStore({ path: db }),
      machines: [shopMachine],
      tracing: { tracer: provider.getTracer('parent') },
      metrics: false,
    });
    try {
      await engine.create('shop', 's2');
    } finally {
      await engine.close(); // One process holds a SQLite file at a time.
    }
    const [created] = exporter.getFinishedSpans();
    expect(created?.name).toBe('stator.transition');

    const pay = transition(await inChild([db, 'send', 's2', 'Pay', 'paid']), 'Pay');
    expect(pay.traceId).toBe(created?.spanContext().traceId);
    expect(pay.parentSpanId).toBe(created?.spanContext().spanId);
  });
});
