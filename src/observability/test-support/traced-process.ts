/**
 * One step of a tracing test in its own process: opens an engine over the
 * SQLite file given, with an SDK tracer and an in-memory exporter, does one
 * thing, closes, and prints the spans it finished as JSON on stdout.
 *
 *   node --import tsx traced-process.ts <db> create <id>
 *   node --import tsx traced-process.ts <db> send <id> <event type> <state to wait for>
 */
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { sqliteStore } from '../../store/sqlite/sqlite-store.js';
import { createEngine } from '../engine.js';
import { shopMachine } from './shop-machine.js';

/** A finished span as the child prints it. */
export interface PrintedSpan {
  readonly name: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | undefined;
  readonly attributes: Readonly<Record<string, unknown>>;
}

const [db, step, id, eventType, until] = process.argv.slice(2);
if (db === undefined || id === undefined || (step !== 'create' && step !== 'send')) {
  throw new Error('usage: traced-process.ts <db> create <id> | <db> send <id> <event> <state>');
}

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const engine = await createEngine({
  store: sqliteStore({ path: db }),
  machines: [shopMachine],
  tracing: { tracer: provider.getTracer(`process-${process.pid}`) },
  metrics: false,
});
try {
  if (step === 'create') await engine.create('shop', id);
  else {
    await engine.send('shop', id, { type: eventType ?? 'Pay' });
    // What the event started (an activity, its result) finishes before the spans are printed.
    while ((await engine.get('shop', id)).value !== until) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
} finally {
  await engine.close();
}
const spans: PrintedSpan[] = exporter.getFinishedSpans().map((s) => ({
  name: s.name,
  traceId: s.spanContext().traceId,
  spanId: s.spanContext().spanId,
  parentSpanId: s.parentSpanContext?.spanId,
  attributes: s.attributes,
}));
process.stdout.write(`${JSON.stringify(spans)}\n`);
