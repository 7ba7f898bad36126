/**
 * OpenTelemetry spans of one engine, with `@opentelemetry/api` only: without
 * an SDK registered every span is a no-op and the caller's trace context is
 * stored as before.
 *
 * One trace per entity. Each transition's span context is stored with its
 * event (the event row's trace context), so any process can continue the
 * trace later. A transition's span is a CHILD of the instance's creation
 * span (found in event 1 of its history, or in memory), not of the previous
 * transition: Jaeger and Tempo then show the whole lifecycle as one flat
 * timeline under the creation, instead of a staircase one level deeper per
 * event, and a missing span in the middle breaks nothing. An incoming
 * `traceparent` on a send becomes the parent instead (the caller's request
 * shows what it caused), and the span LINKS to the creation span, so the
 * lifecycle is one click away. Timer firings and activity and action
 * attempts are children of the transition that caused them when this
 * process still knows it, else of the creation span.
 */
import {
  type Attributes,
  type Context,
  isSpanContextValid,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { isStatorError } from '../core/errors.js';
import type { InspectionEvent, InspectionType } from '../runtime/inspection.js';
import type {
  TransitionTrace,
  TransitionTraceRequest,
  TransitionTracer,
} from '../runtime/trace-hook.js';
import { stateKey } from '../store/state-key.js';
import type { InstanceReads, OutboxRow } from '../store/types.js';
import { formatTraceparent, parseTraceparent } from './traceparent.js';

export interface TracingOptions {
  /** Default: `trace.getTracer('stator')` from the globally registered provider. */
  readonly tracer?: Tracer;
  /** Instances whose creation span is kept in memory (LRU). Default 10,000. */
  readonly cacheSize?: number;
}

/** The inspection events the tracer observes. */
export const TRACE_EVENTS: readonly InspectionType[] = [
  'transition.committed',
  'transition.rejected',
  'transition.discarded',
  'timer.fired',
  'effect.started',
  'effect.succeeded',
  'effect.failed',
];

interface Known {
  /** The instance's creation span: null when it has none, undefined when not looked up yet. */
  root: SpanContext | null | undefined;
  /** Its last committed transition's span, and that transition's seq. */
  last?: { readonly seq: number; readonly span: SpanContext };
}

/**
 * The engine's tracer: a `TransitionTracer` (the commit path's hook) and an
 * observer of inspection events.
 */
export class EngineTracing implements TransitionTracer {
  readonly #tracer: Tracer;
  readonly #store: Pick<InstanceReads, 'readEvents'>;
  readonly #known = new Map<string, Known>();
  readonly #cacheSize: number;
  /**
   * The transition span open per instance (its mailbox runs one at a time), with
   * its own context when valid (checked once: the commit reads it again).
   */
  readonly #open = new Map<string, OpenSpan>();
  /** Effect attempts under way, by effect id. */
  readonly #effects = new Map<string, Span | Promise<Span>>();

  /** False while no SDK is registered (and no tracer was given): then nothing is done at all. */
  readonly #live: () => boolean;

  constructor(store: Pick<InstanceReads, 'readEvents'>, options: TracingOptions = {}) {
    this.#tracer = options.tracer ?? trace.getTracer('stator');
    this.#live = options.tracer === undefined ? sdkRegistered : () => true;
    this.#store = store;
    this.#cacheSize = options.cacheSize ?? 10_000;
  }

  start(request: TransitionTraceRequest): TransitionTrace | Promise<TransitionTrace> | undefined {
    if (!this.#live()) return undefined;
    if (request.kind === 'create') return this.#begin(request, undefined);
    // In memory (the common case), no promise: the commit path goes on synchronously.
    const root = this.#cachedRoot(keyOf(request.machine, request.id));
    if (root !== undefined) return this.#begin(request, root ?? undefined);
    return this.#loadRoot(request.machine, request.id).then((r) => this.#begin(request, r));
  }

  #begin(request: TransitionTraceRequest, root: SpanContext | undefined): TransitionTrace {
    const key = keyOf(request.machine, request.id);
    const incoming = parseTraceparent(request.incoming?.traceparent);
    const attributes: Attributes = {
      'stator.machine': request.machine,
      'stator.instance.id': request.id,
      'stator.event.type': request.eventType,
    };
    if (request.actor) attributes['stator.actor.id'] = request.actor.id;
    // A link only when the parent is a caller's span of another trace.
    const links =
      incoming && root && incoming.traceId !== root.traceId ? [{ context: root }] : undefined;
    const span = this.#tracer.startSpan(
      'stator.transition',
      {
        kind: request.kind === 'internal' ? SpanKind.INTERNAL : SpanKind.SERVER,
        attributes,
        ...(links && { links }),
      },
      contextOf(incoming ?? root),
    );
    const mine = span.spanContext();
    const own = isSpanContextValid(mine) ? mine : undefined;
    this.#open.set(key, { span, own });
    const traceContext = own
      ? {
          traceparent: formatTraceparent(own),
          ...(request.incoming?.tracestate !== undefined && {
            tracestate: request.incoming.tracestate,
          }),
        }
      : undefined;
    return {
      traceContext,
      end: (error) => {
        this.#open.delete(key);
        if (error !== undefined) {
          const code = isStatorError(error) ? error.code : 'ERROR';
          span.setAttribute('stator.error.code', code);
          if (!span.isRecording()) return span.end();
          const expected =
            code === 'EVENT_NOT_ACCEPTED' || code === 'FORBIDDEN' || code === 'INSTANCE_DONE';
          if (!expected) {
            span.recordException(error instanceof Error ? error : String(error));
            span.setStatus({ code: SpanStatusCode.ERROR, message: code });
          }
        }
        span.end();
      },
    };
  }

  /** Feeds one inspection event: annotates the open transition span, or opens and ends effect spans. */
  observe(event: InspectionEvent): void {
    if (!this.#live()) return;
    switch (event.type) {
      case 'transition.committed': {
        const { instance, event: ev } = event.write;
        const key = keyOf(instance.machine, instance.id);
        const open = this.#open.get(key);
        const span = open?.span;
        // The stored context is the open span's own when it has one: no need to parse it back.
        const own = open?.own ?? parseTraceparent(ev.traceContext?.traceparent);
        const known = this.#remember(key, ev.seq === 1 ? (own ?? null) : undefined);
        if (own) known.last = { seq: ev.seq, span: own };
        if (span?.isRecording()) {
          span.setAttributes({
            'stator.state.from': event.previous ? stateKey(event.previous.value) : '',
            'stator.state.to': stateKey(instance.value),
            'stator.seq': ev.seq,
            'stator.outcome': 'applied',
          });
        }
        return;
      }
      case 'transition.rejected':
      case 'transition.discarded': {
        const { audit } = event;
        const span = this.#open.get(keyOf(audit.machine, audit.id))?.span;
        if (!span?.isRecording()) return;
        span.setAttributes({
          ...(audit.from !== null && { 'stator.state.from': stateKey(audit.from) }),
          'stator.outcome': audit.outcome,
          ...(audit.reason !== null && { 'stator.reason': audit.reason }),
        });
        return;
      }
      case 'timer.fired': {
        const { timer } = event;
        const open = (parent: Context) =>
          this.#tracer
            .startSpan(
              'stator.timer',
              {
                startTime: timer.dueAt,
                attributes: {
                  'stator.machine': timer.machine,
                  'stator.instance.id': timer.id,
                  'stator.timer.id': timer.timerId,
                  'stator.timer.event': timer.event.type,
                  'stator.timer.late_ms': event.lateMs,
                },
              },
              parent,
            )
            .end(event.at);
        const parent = this.#parentOf(timer.machine, timer.id, timer.setBySeq);
        if (parent instanceof Promise) void parent.then(open);
        else open(parent);
        return;
      }
      case 'effect.started': {
        const { row } = event;
        if (!TRACED_EFFECTS.has(row.effect.kind)) return;
        const open = (parent: Context) =>
          this.#tracer.startSpan(
            effectSpanName(row),
            {
              startTime: event.at,
              attributes: { ...effectAttributes(row), 'stator.effect.attempt': event.attempt },
            },
            parent,
          );
        const parent = this.#parentOf(row.machine, row.id, row.seq);
        this.#effects.set(
          row.effectId,
          parent instanceof Promise ? parent.then(open) : open(parent),
        );
        return;
      }
      case 'effect.succeeded':
      case 'effect.failed': {
        const span = this.#effects.get(event.row.effectId);
        if (span === undefined) return;
        this.#effects.delete(event.row.effectId);
        const at = event.at;
        const close = (s: Span) => {
          if (event.type === 'effect.failed') {
            s.recordException(event.error instanceof Error ? event.error : String(event.error));
            s.setStatus({ code: SpanStatusCode.ERROR });
            s.setAttribute('stator.effect.dead_lettered', event.deadLettered);
          }
          s.end(at);
        };
        if (span instanceof Promise) void span.then(close);
        else close(span);
        return;
      }
      default:
        return;
    }
  }

  /**
   * The context an instance's effect or timer span hangs under: the transition
   * that caused it (heard of already: this tracer observes commits before the
   * effects runtime does), else the creation span.
   */
  #parentOf(machine: string, id: string, seq: number): Context | Promise<Context> {
    const key = keyOf(machine, id);
    const known = this.#known.get(key);
    if (known?.last?.seq === seq) return contextOf(known.last.span);
    const root = this.#cachedRoot(key);
    if (root !== undefined) return contextOf(root ?? undefined);
    return this.#loadRoot(machine, id).then(contextOf);
  }

  /** The creation span of an instance if in memory (null: it has none), undefined when not known. */
  #cachedRoot(key: string): SpanContext | null | undefined {
    const known = this.#known.get(key);
    if (known === undefined || known.root === undefined) return undefined;
    // Most recently used last: the cache drops the first.
    this.#known.delete(key);
    this.#known.set(key, known);
    return known.root;
  }

  /** The creation span from event 1 of the instance's history (any process wrote it). */
  async #loadRoot(machine: string, id: string): Promise<SpanContext | undefined> {
    const [first] = await this.#store
      .readEvents({ machine, id }, { after: 0, limit: 1 })
      .catch(() => []);
    const root = first?.seq === 1 ? parseTraceparent(first.traceContext?.traceparent) : undefined;
    this.#remember(keyOf(machine, id), root ?? null);
    return root;
  }

  #remember(key: string, root: SpanContext | null | undefined): Known {
    let known = this.#known.get(key);
    if (known === undefined) {
      known = { root };
      if (this.#known.size >= this.#cacheSize) {
        const oldest = this.#known.keys().next().value;
        if (oldest !== undefined) this.#known.delete(oldest);
      }
      this.#known.set(key, known);
    } else if (root !== undefined) known.root = root;
    return known;
  }
}

interface OpenSpan {
  readonly span: Span;
  readonly own: SpanContext | undefined;
}

const contextOf = (parent: SpanContext | undefined): Context =>
  parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;

/**
 * The effects that get a span: activity attempts and stops, custom actions,
 * and sends to other instances (whose transition spans they then parent). Emits are not
 * spanned: their handlers are the subscriber's, and they would add a span per
 * emitted event to every trace.
 */
const TRACED_EFFECTS: ReadonlySet<OutboxRow['effect']['kind']> = new Set([
  'activity.start',
  'activity.stop',
  'action',
  'send',
]);

const keyOf = (machine: string, id: string) => `${machine}\u0000${id}`;

const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/** Whether an OpenTelemetry SDK registered a global tracer provider (checked per call: it may come later). */
function sdkRegistered(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NOOP_PROVIDER;
}

function effectSpanName(row: OutboxRow): string {
  switch (row.effect.kind) {
    case 'activity.start':
      return 'stator.activity';
    case 'action':
      return 'stator.action';
    default:
      return `stator.${row.effect.kind}`;
  }
}

function effectAttributes(row: OutboxRow): Attributes {
  const e = row.effect;
  const name =
    e.kind === 'activity.start'
      ? e.src
      : e.kind === 'action'
        ? e.type
        : e.kind === 'activity.stop'
          ? (e.src ?? e.activityId)
          : e.kind === 'send'
            ? e.target
            : e.event.type;
  return {
    'stator.machine': row.machine,
    'stator.instance.id': row.id,
    'stator.seq': row.seq,
    'stator.effect.id': row.effectId,
    'stator.effect.kind': e.kind,
    'stator.effect.name': name,
  };
}
