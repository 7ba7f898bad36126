/**
 * The JSON description of a machine definition that the inspector draws: the
 * state tree and every transition, with names (not code) for guards, actions,
 * delays and invoked actors. Plain data, safe to serialize.
 */
export interface Chart {
  /** The machine's id (its name in Stator). */
  readonly machine: string;
  readonly root: ChartState;
  /** Every transition of every state, in document order. */
  readonly transitions: readonly ChartTransition[];
}

export type ChartStateType = 'atomic' | 'compound' | 'parallel' | 'final' | 'history';

export interface ChartState {
  /** XState's state node id, e.g. `order.paid.awaitingPacking`. Unique in the chart. */
  readonly id: string;
  readonly key: string;
  /** Keys from the root, e.g. `['paid', 'awaitingPacking']`; `[]` for the root. The state value's path. */
  readonly path: readonly string[];
  readonly type: ChartStateType;
  /** For history states. */
  readonly history?: 'shallow' | 'deep';
  /** Id of the initial child, for compound states. */
  readonly initial?: string;
  readonly entry: readonly string[];
  readonly exit: readonly string[];
  readonly invokes: readonly ChartInvoke[];
  readonly tags: readonly string[];
  readonly description?: string;
  readonly children: readonly ChartState[];
}

export interface ChartInvoke {
  readonly id: string;
  /** The actor's `setup({ actors })` name, or `inline`. */
  readonly src: string;
}

/**
 * - `event`: `on: { Pay: … }` (the `event` field holds the descriptor, `*` and `Order.*` included)
 * - `after`: a delayed transition (`delay` says how long)
 * - `always`: an eventless transition
 * - `done` / `error`: an invoked actor finished or failed (`invoke` names it)
 * - `done.state`: `onDone` of a compound or parallel state
 */
export type ChartTransitionKind = 'event' | 'after' | 'always' | 'done' | 'error' | 'done.state';

export interface ChartDelay {
  /** The named delay (`paymentWindow`), when it has a name. */
  readonly name?: string;
  /** Milliseconds, when known from the definition (numbers, named numeric delays). */
  readonly ms?: number;
}

export interface ChartTransition {
  /** Unique in the chart: `${source}#${index}`. */
  readonly id: string;
  readonly source: string;
  /** Target state ids; empty for a targetless transition (actions only, no state change). */
  readonly targets: readonly string[];
  readonly kind: ChartTransitionKind;
  /** The event descriptor XState matches (`Pay`, `*`, `xstate.done.actor.charge`, `` for always). */
  readonly event: string;
  /** A short label for people: `Pay`, `after 48h`, `always`, `done charge`, `error charge`, `done`. */
  readonly label: string;
  /** `paidInFull`, `!isAdmin`, `a && b`, `in(#id)`; absent when unguarded. */
  readonly guard?: string;
  readonly delay?: ChartDelay;
  /** The invoke id, for `done` and `error` transitions. */
  readonly invoke?: string;
  /** True for `reenter: true` (exit and re-enter the source). */
  readonly reenter: boolean;
  /**
   * True when the source state is not exited: a targetless transition (actions
   * only), or one to the source's own descendants without `reenter`.
   */
  readonly internal: boolean;
  readonly actions: readonly string[];
}
