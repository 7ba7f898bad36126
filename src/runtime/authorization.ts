import type {
  AdmissionRequest,
  AuthorizationDecision,
  AuthorizationRequest,
  Authorizer,
  EngineOptions,
} from './types.js';

/** The engine's authorization, both steps; a step not given allows everything. */
export interface Gate {
  /** Before anything about the instance is read: the reason for a denial, or undefined. */
  admit(request: AdmissionRequest): string | undefined;
  /** With the instance's current state: the reason for a denial, or undefined. */
  decide(request: AuthorizationRequest): string | undefined;
}

/** The gate of an engine's `authorize` option (a function is its `decide` step). */
export function gateOf(option: EngineOptions['authorize']): Gate | undefined {
  if (option === undefined) return undefined;
  const steps: Authorizer = typeof option === 'function' ? { decide: option } : option;
  return {
    admit: (request) => denial(steps.admit?.(request) ?? true),
    decide: (request) => denial(steps.decide?.(request) ?? true),
  };
}

function denial(decision: AuthorizationDecision): string | undefined {
  if (decision === true) return undefined;
  return typeof decision === 'string' && decision ? decision : 'denied by policy';
}

/**
 * Keeps denied requests from turning into an unbounded stream of audit rows (a
 * caller probing instance ids that do not exist writes one row per request):
 * each actor's denials are recorded up to `perMinute` a minute (a token
 * bucket); beyond that they are counted, and the next recorded denial of that
 * actor says how many were left out and since when. At most `maxActors`
 * actors are tracked (least recently denied forgotten first).
 */
export class DenialLimiter {
  readonly #perMinute: number;
  readonly #maxActors: number;
  readonly #buckets = new Map<
    string,
    { tokens: number; at: number; suppressed: number; since: number }
  >();

  constructor(perMinute = 20, maxActors = 10_000) {
    this.#perMinute = perMinute;
    this.#maxActors = maxActors;
  }

  /**
   * Whether to record this denial: undefined when it is left out, else a note
   * on the denials left out before it ('' when none were).
   */
  take(actorId: string, now: number): string | undefined {
    const bucket = this.#buckets.get(actorId) ?? {
      tokens: this.#perMinute,
      at: now,
      suppressed: 0,
      since: now,
    };
    this.#buckets.delete(actorId);
    this.#buckets.set(actorId, bucket);
    if (this.#buckets.size > this.#maxActors) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    bucket.tokens = Math.min(
      this.#perMinute,
      bucket.tokens + ((now - bucket.at) * this.#perMinute) / 60_000,
    );
    bucket.at = now;
    if (bucket.tokens < 1) {
      if (bucket.suppressed === 0) bucket.since = now;
      bucket.suppressed++;
      return undefined;
    }
    bucket.tokens -= 1;
    if (bucket.suppressed === 0) return '';
    const note = ` (${bucket.suppressed} more denials of this actor were not recorded since ${new Date(bucket.since).toISOString()})`;
    bucket.suppressed = 0;
    return note;
  }
}
