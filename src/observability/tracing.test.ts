import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryStore } from '../store/memory/memory-store.js';
import { sqliteStore } from '../store/sqlite/sqlite-store.js';
import { createTestEngine, type TestEngine } from '../testing/test-engine.js';
import { createEngine, type ObservedEngine } from './engine.js';
import { shopMachine } from './test-support/shop-machine.js';
import { EngineTracing, TRACE_EVENTS } from './tracing.js';

let exporter: InMemorySpanExporter;
let provider: BasicTracerProvider;
beforeEach(() => {
  exporter = new InMemorySpanExporter();
  provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
});

const spans = (name?: string) =>
  exporter.getFinishedSpans().filter((s) => name === undefined || s.name === name);
const parentOf = (s: ReadableSpan) => s.parentSpanContext?.spanId;
const CALLER = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('tracing across a restart', () => {
  let dir: string;
  let engine: ObservedEngine | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'stator-tracing-'));
  });
  afterEach(async () => {
    await engine?.close();
    engine = undefined;
    await rm(dir, { recursive: true, force: true });
  });
  const start = () =>
    createEngine({
      store: sqliteStore({ path: join(dir, 'shop.db') }),
      machines: [shopMachine],
      tracing: { tracer: provider.getTracer('test') },
      metrics: false,
    });

  it('a later transition on a new engine continues the instance trace under its creation span', async () => {
    engine = await start();
    await engine.create('shop', 's1', { actor: { id: 'alice' } });
    await engine.close();
    const [created] = spans('stator.transition');
    expect(created?.attributes).toMatchObject({
      'stator.machine': 'shop',
      'stator.instance.id': 's1',
      'stator.event.type': 'xstate.init',
      'stator.state.to': 'pending',
      'stator.seq': 1,
      'stator.outcome': 'applied',
      'stator.actor.id': 'alice',
    });
    expect(parentOf(created!)).toBeUndefined();

    engine = await start(); // nothing in memory: the creation span is read from event 1
    await engine.send('shop', 's1', { type: 'Pay' });
    await expect.poll(() => spans('stator.activity').length).toBe(1);
    await expect.poll(async () => (await engine!.get('shop', 's1')).value).toBe('paid');
    const transitions = spans('stator.transition');
    const pay = transitions.find((s) => s.attributes['stator.event.type'] === 'Pay')!;
    expect(pay.spanContext().traceId).toBe(created!.spanContext().traceId);
    expect(parentOf(pay)).toBe(created!.spanContext().spanId);
    expect(pay.attributes).toMatchObject({
      'stator.state.from': 'pending',
      'stator.state.to': 'charging',
      'stator.seq': 2,
    });
    // The activity attempt hangs under the transition that started it; its result is one more transition.
    const [charge] = spans('stator.activity');
    expect(parentOf(charge!)).toBe(pay.spanContext().spanId);
    expect(charge!.attributes).toMatchObject({
      'stator.effect.name': 'charge',
      'stator.effect.attempt': 1,
    });
    await expect.poll(() => spans('stator.action').length).toBe(1);
    // The stored context is the transition's own span.
    const { events } = await engine.history('shop', 's1');
    expect(events[1]?.traceContext?.traceparent).toBe(
      `00-${pay.spanContext().traceId}-${pay.spanContext().spanId}-01`,
    );
    const audit = await engine.audit('shop', 's1');
    expect(audit.entries[1]?.traceId).toBe(pay.spanContext().traceId);
  });

  it("an incoming traceparent becomes the parent, with a link to the instance's creation span", async () => {
    engine = await start();
    await engine.create('shop', 's1');
    await engine.send(
      'shop',
      's1',
      { type: 'Pay' },
      { traceContext: { traceparent: CALLER, tracestate: 'v=1' } },
    );
    const created = spans('stator.transition')[0]!;
    const pay = spans('stator.transition').find(
      (s) => s.attributes['stator.event.type'] === 'Pay',
    )!;
    expect(pay.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(parentOf(pay)).toBe('b7ad6b7169203331');
    expect(pay.links.map((l) => l.context.spanId)).toEqual([created.spanContext().spanId]);
    const { events } = await engine.history('shop', 's1');
    expect(events[1]?.traceContext).toEqual({
      traceparent: `00-0af7651916cd43dd8448eb211c80319c-${pay.spanContext().spanId}-01`,
      tracestate: 'v=1',
    });
  });

  it('a rejected event ends its span with the outcome; without an SDK nothing changes what is stored', async () => {
    engine = await start();
    await engine.create('shop', 's1');
    await expect(engine.send('shop', 's1', { type: 'Ship' })).rejects.toMatchObject({
      code: 'EVENT_NOT_ACCEPTED',
    });
    const ship = spans('stator.transition').find(
      (s) => s.attributes['stator.event.type'] === 'Ship',
    )!;
    expect(ship.attributes).toMatchObject({
      'stator.outcome': 'rejected_invalid',
      'stator.error.code': 'EVENT_NOT_ACCEPTED',
    });
    await engine.close();

    // The API alone (no provider registered): no-op spans, and the caller's context is stored as given.
    engine = await createEngine({
      store: sqliteStore({ path: join(dir, 'shop.db') }),
      machines: [shopMachine],
      metrics: false,
    });
    await engine.create('shop', 's2', { traceContext: { traceparent: CALLER } });
    await engine.create('shop', 's3');
    expect((await engine.history('shop', 's2')).events[0]?.traceContext).toEqual({
      traceparent: CALLER,
    });
    expect((await engine.history('shop', 's3')).events[0]?.traceContext).toBeNull();
  });
});

describe('tracing across two engines on one store', () => {
  it("the second engine's transition is a child of the creation span the first one stored", async () => {
    const store = memoryStore();
    const other = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const options = { store, machines: [shopMachine], metrics: false } as const;
    const a = await createEngine({ ...options, tracing: { tracer: provider.getTracer('a') } });
    const b = await createEngine({ ...options, tracing: { tracer: other.getTracer('b') } });
    try {
      await a.create('shop', 's1');
      await b.send('shop', 's1', { type: 'Pay' });
      const [created, pay] = spans('stator.transition');
      expect(pay?.instrumentationScope.name).toBe('b');
      expect(pay?.spanContext().traceId).toBe(created?.spanContext().traceId);
      expect(parentOf(pay!)).toBe(created?.spanContext().spanId);
    } finally {
      await b.close();
      await a.close();
    }
  });
});

describe('timer spans', () => {
  let t: TestEngine;
  afterEach(() => t?.close());

  it('one per firing, from its due time to when it fired, under the transition that set it', async () => {
    const store = memoryStore();
    const tracing = new EngineTracing(store, { tracer: provider.getTracer('test') });
    t = await createTestEngine({ machines: [shopMachine], store, tracer: tracing });
    t.engine.inspect((e) => tracing.observe(e), TRACE_EVENTS);
    await t.engine.create('shop', 's1');
    await t.advanceBy('1h');
    await expect.poll(() => spans('stator.timer').length).toBe(1);
    const [timer] = spans('stator.timer');
    const [created, expired] = spans('stator.transition');
    expect(parentOf(timer!)).toBe(created!.spanContext().spanId);
    expect(timer!.attributes).toMatchObject({
      'stator.timer.event': expect.stringContaining('xstate.after'),
      'stator.timer.late_ms': 0,
    });
    expect(expired?.attributes).toMatchObject({
      'stator.state.to': 'expired',
      'stator.outcome': 'applied',
    });
    expect(parentOf(expired!)).toBe(created!.spanContext().spanId);
  });
});
