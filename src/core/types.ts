import type { EventObject, StateValue } from 'xstate';

/** A value that is a string at runtime but cannot be mixed up with other strings at compile time. */
export type Brand<T, B extends string> = T & { readonly __brand: B };

/** Source of time. The engine reads it once per event and records the result. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** Who caused an event: a user, a service, or the system (timers, activities). */
export interface Actor {
  readonly id: string;
  readonly roles?: readonly string[];
  readonly [key: string]: unknown;
}

/** Instance lifecycle status, as XState reports it. */
export type InstanceStatus = 'active' | 'done' | 'error' | 'stopped';

/** An event as the engine records it, before it reaches the machine. */
export interface EventEnvelope {
  readonly event: EventObject;
  /** Recorded time (ms since epoch), given to guards and assign through `eventTime()`. */
  readonly at: number;
  readonly actor: Actor | null;
  readonly idempotencyKey: string | null;
  readonly traceContext: Readonly<Record<string, string>> | null;
}

/** A delayed event to be written as a durable timer row. */
export interface TimerSetEffect {
  readonly kind: 'timer.set';
  /** Unique per instance: XState's send id (e.g. `xstate.after.5000.order.pending`). */
  readonly timerId: string;
  readonly delay: number;
  readonly dueAt: number;
  readonly event: EventObject;
  /** `self` for `raise`/`after`; the target actor id for a delayed `sendTo`. */
  readonly target: string;
}

export interface TimerCancelEffect {
  readonly kind: 'timer.cancel';
  readonly timerId: string;
}

/** An invoked or spawned actor (promise activity or child machine) to start. */
export interface ActivityStartEffect {
  readonly kind: 'activity.start';
  /** The child's id within the instance (XState's invoke/spawn id). */
  readonly activityId: string;
  /** Key into `setup({ actors })`. */
  readonly src: string;
  readonly input: unknown;
  /** Which spawn of this child id (2 and up: spawned again after a stop); absent for the first. */
  readonly generation?: number;
}

export interface ActivityStopEffect {
  readonly kind: 'activity.stop';
  readonly activityId: string;
  /** Key into `setup({ actors })` of the stopped child, when known. */
  readonly src?: string;
  /** Which spawn of this child id (2 and up: spawned again after a stop); absent for the first. */
  readonly generation?: number;
}

/** A custom action (named in `setup({ actions })`, or an inline function), run after commit. */
export interface ActionEffect {
  readonly kind: 'action';
  /** The action's name; for an inline function its function name or `(anonymous)`. */
  readonly type: string;
  readonly params: unknown;
  /**
   * Set for an inline function: its place in the chart (`order.pending/entry/0`),
   * or `enqueued/<n>` for one made while the step ran (`enqueueActions`).
   */
  readonly inline?: string;
}

/** An `emit(...)`ed event for subscribers. */
export interface EmitEffect {
  readonly kind: 'emit';
  readonly event: EventObject;
}

/** An immediate `sendTo(...)`: to the instance itself (`self`), its parent (`#parent`) or a child's id. */
export interface SendEffect {
  readonly kind: 'send';
  readonly target: string;
  readonly event: EventObject;
  /** For a child target spawned again after a stop: which spawn (see ActivityStartEffect). */
  readonly generation?: number;
}

export type Effect =
  | TimerSetEffect
  | TimerCancelEffect
  | ActivityStartEffect
  | ActivityStopEffect
  | ActionEffect
  | EmitEffect
  | SendEffect;

/** Effects that leave through the outbox (everything but timer bookkeeping). */
export type OutboxEffect =
  | ActivityStartEffect
  | ActivityStopEffect
  | ActionEffect
  | EmitEffect
  | SendEffect;

export type { EventObject, StateValue };
