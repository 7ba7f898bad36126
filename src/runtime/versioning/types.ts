/** The shapes of shadow runs (offline and live), apart so the inspection stream can name them. */

/** What must match between two versions after each event (engine.shadow). */
export interface StepSignature {
  /** State value, as `a.b` / `{a.b, c.d}`. */
  readonly state: string;
  readonly status: string;
  /** Canonical JSON of the context. */
  readonly context: string;
  /** The step's effects, in order, as `kind:id` keys. */
  readonly effects: string;
}

/** Where one instance first behaved differently on the candidate. */
export interface ShadowDivergence {
  readonly id: string;
  readonly seq: number;
  readonly eventType: string;
  readonly reason: string;
  /** After the event on the version that ran it. */
  readonly expected?: StepSignature;
  /** After the event on the candidate. */
  readonly actual?: StepSignature;
}

export interface ShadowOptions {
  /** Examine at most this many instances (in id order). Default: all. */
  readonly sample?: number;
  /** Only these instances. */
  readonly ids?: readonly string[];
}

/** An offline shadow run: recorded histories replayed on a candidate version. */
export interface ShadowReport {
  readonly machine: string;
  readonly candidate: string;
  /** Instances replayed (those not on the candidate already). */
  readonly examined: number;
  readonly identical: number;
  readonly divergences: readonly ShadowDivergence[];
}

/** Counters of a live shadow run since the engine started. */
export interface LiveShadowStats {
  readonly machine: string;
  readonly candidate: string;
  /** Events stepped on the candidate and compared. */
  readonly compared: number;
  /** Instances found diverging. */
  readonly diverged: number;
  /** Events not compared because the queue was full (their instances are re-read later). */
  readonly skipped: number;
}
