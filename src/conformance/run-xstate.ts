/** Runs a converted machine on XState in memory, on a simulated clock. */
import { type AnyActorRef, type AnyStateMachine, createActor, type EventObject } from 'xstate';
import type { TestScript } from './corpus.js';
import type { Observation } from './observation.js';

/** Timers fire when the test moves time, in due order. */
class ManualClock {
  #now = 0;
  #next = 0;
  readonly #timers = new Map<number, { at: number; fn: () => void }>();

  setTimeout(fn: () => void, ms: number): number {
    const id = ++this.#next;
    this.#timers.set(id, { at: this.#now + ms, fn });
    return id;
  }

  clearTimeout(id: number): void {
    this.#timers.delete(id);
  }

  /** The earliest pending timer's due time. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const t of this.#timers.values()) if (next === undefined || t.at < next) next = t.at;
    return next;
  }

  /** Moves time to `at`, firing every timer due on the way, each at its own time. */
  advanceTo(at: number): void {
    for (;;) {
      let due: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.#timers) {
        if (entry[1].at <= at && (due === undefined || entry[1].at < due[1].at)) due = entry;
      }
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = Math.max(this.#now, due[1].at);
      due[1].fn();
    }
    this.#now = Math.max(this.#now, at);
  }

  now(): number {
    return this.#now;
  }
}

export interface XStateRun {
  readonly steps: Observation[];
  /** Per event of the script: whether the state before it had an enabled transition for it. */
  readonly accepted: boolean[];
  /** The actor's error, if it ended in XState's error status. */
  readonly error?: string;
}

/** Most timers a run fires while settling a script without events (W3C tests run to completion). */
export const MAX_TIMER_ROUNDS = 200;

export function runOnXState(machine: AnyStateMachine, script: TestScript): XStateRun {
  const clock = new ManualClock();
  const actor = createActor(machine, { clock, logger: () => {} });
  let error: unknown;
  actor.subscribe({
    error: (e) => {
      error = e;
    },
  });
  const observe = (label: string): Observation => {
    const s = actor.getSnapshot();
    return {
      label,
      value: s.value,
      context: s.context,
      status: s.status,
      // Running ones: XState keeps a finished child in `children` until its state is left.
      children: Object.entries(s.children)
        .filter(
          ([, child]) => (child as AnyActorRef | undefined)?.getSnapshot().status === 'active',
        )
        .map(([id]) => id)
        .sort(),
      notes: [],
    };
  };
  const steps: Observation[] = [];
  const accepted: boolean[] = [];
  actor.start();
  if (script.events.length === 0) {
    steps.push(observe('created'));
    for (let round = 0; round < MAX_TIMER_ROUNDS; round++) {
      const next = clock.nextDue();
      if (next === undefined || actor.getSnapshot().status !== 'active') break;
      clock.advanceTo(next);
    }
  }
  steps.push(observe('initial'));
  for (const step of script.events) {
    if (step.after) clock.advanceTo(clock.now() + step.after);
    const event = toEvent(step.event);
    const snapshot = actor.getSnapshot();
    const active = snapshot.status === 'active';
    accepted.push(active && snapshot.can(event));
    if (active) actor.send(event);
    steps.push(observe(`event ${step.event.name}`));
  }
  actor.stop();
  return error === undefined ? { steps, accepted } : { steps, accepted, error: message(error) };
}

export function toEvent(event: { readonly name: string; readonly data?: unknown }): EventObject {
  return event.data === undefined
    ? { type: event.name }
    : ({ type: event.name, data: event.data } as EventObject);
}

export function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
