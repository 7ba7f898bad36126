/**
 * The one interceptor on the commit path: a tracer chooses the W3C trace
 * context stored with a transition before it is committed (its own span's, so
 * later transitions and other processes can continue the trace), and hears
 * when the request settled. Everything else a tracer needs (states, seq,
 * outcome) it observes on the inspection stream. Without a tracer, the
 * caller's context is stored as given.
 */
import type { Actor } from '../core/types.js';

export interface TransitionTraceRequest {
  readonly machine: string;
  readonly id: string;
  /** `xstate.init` for creates. */
  readonly eventType: string;
  /** `create`, an `event` from outside, or an `internal` delivery (timer, activity result). */
  readonly kind: 'create' | 'event' | 'internal';
  readonly actor: Actor | null;
  /** The caller's W3C trace context (`traceparent`, `tracestate`), if any. */
  readonly incoming: Readonly<Record<string, string>> | undefined;
}

export interface TransitionTrace {
  /** The context to store with the transition; undefined stores the caller's. */
  readonly traceContext: Readonly<Record<string, string>> | undefined;
  /** Called once, when the request settled: with its error when it threw. */
  end(error?: unknown): void;
}

export interface TransitionTracer {
  /** Undefined: this transition is not traced (the caller's context is stored, nothing is told). */
  start(request: TransitionTraceRequest): TransitionTrace | Promise<TransitionTrace> | undefined;
}

/**
 * Runs `run` with the trace context a tracer chose (the caller's without one),
 * telling the tracer when it settled. Called inside the instance's mailbox.
 */
export function traced<T>(
  tracer: TransitionTracer | undefined,
  request: TransitionTraceRequest,
  run: (traceContext: Readonly<Record<string, string>> | undefined) => Promise<T>,
): Promise<T> {
  const started = tracer?.start(request);
  // Not traced: no promise chained to hear the end, the request runs as without a tracer.
  if (started === undefined) return run(request.incoming);
  // A tracer that knows the instance answers at once: no extra turn of the event loop then.
  return started instanceof Promise
    ? started.then((trace) => settle(trace, request, run))
    : settle(started, request, run);
}

function settle<T>(
  trace: TransitionTrace,
  request: TransitionTraceRequest,
  run: (traceContext: Readonly<Record<string, string>> | undefined) => Promise<T>,
): Promise<T> {
  let running: Promise<T>;
  try {
    running = run(trace.traceContext ?? request.incoming);
  } catch (error) {
    trace.end(error);
    throw error;
  }
  return running.then(
    (result) => {
      trace.end();
      return result;
    },
    (error: unknown) => {
      trace.end(error);
      throw error;
    },
  );
}

/** `options` with the trace context to store (unchanged when there is none). */
export function withTrace<T extends { readonly traceContext?: Readonly<Record<string, string>> }>(
  options: T,
  traceContext: Readonly<Record<string, string>> | undefined,
): T {
  return traceContext === undefined || traceContext === options.traceContext
    ? options
    : { ...options, traceContext };
}
