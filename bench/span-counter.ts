import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

type Done = Parameters<SpanExporter['export']>[1];
/** `ExportResultCode.SUCCESS` of @opentelemetry/core (a dependency of the SDK, not of ours). */
const SUCCESS = 0;

/**
 * The bench's span exporter: takes each batch the SDK's BatchSpanProcessor
 * hands over, counts its spans by name, and lets them go, as an exporter that
 * sends them over the network does once a batch is sent. The SDK's
 * InMemorySpanExporter keeps every span until it is reset, which no exporter
 * in production does: tens of thousands of live spans per run then make the
 * garbage collector's work, not tracing's, the larger part of what is measured.
 * The counts prove the spans were made and exported.
 */
export class SpanCounter implements SpanExporter {
  readonly #byName = new Map<string, number>();

  export(spans: ReadableSpan[], done: Done): void {
    for (const span of spans) this.#byName.set(span.name, (this.#byName.get(span.name) ?? 0) + 1);
    done({ code: SUCCESS });
  }

  /** Spans exported since the last `reset`, by span name. */
  counts(): ReadonlyMap<string, number> {
    return this.#byName;
  }

  reset(): void {
    this.#byName.clear();
  }

  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}
