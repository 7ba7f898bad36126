/**
 * Runs converted machines on Stator: the test engine (simulated clock, effects
 * driven by the run) over the SQLite store in a temporary file, restarted
 * half-way through every script, with `replay()` checked against `get()` at the end.
 *
 * Several tests may share one engine (one SQLite file, one restart): each has
 * its own machine name and instance, and they take turns, every step settled
 * before the next test's, so what the engine logs belongs to the test whose
 * step is running. Only tests that never move the clock may share: a timer of
 * one test must not fire while another's time passes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AnyStateMachine } from 'xstate';
import { isStatorError } from '../core/errors.js';
import { allActorLogic } from '../core/inline.js';
import { sqliteStore } from '../store/sqlite/sqlite-store.js';
import type { OutboxRow, TimerRow } from '../store/types.js';
import { createTestEngine, type TestEngine } from '../testing/test-engine.js';
import type { TestScript } from './corpus.js';
import { canonical, type Observation } from './observation.js';
import { MAX_TIMER_ROUNDS, message, toEvent } from './run-xstate.js';

/** A Stator error (or any error) as the run records it. */
export interface Refusal {
  readonly code: string;
  readonly message: string;
  /** Where: `registration`, or the label of the step. */
  readonly at: string;
}

export interface StatorRun {
  readonly steps: Observation[];
  readonly refusal?: Refusal;
  /** `replay()` disagreed with `get()` at the end (or threw). */
  readonly replay?: string;
}

export interface StatorJob {
  readonly machine: AnyStateMachine;
  readonly script: TestScript;
}

const INSTANCE = 'i1';
/** Rejections that mean "the machine ignores this event", which XState does silently. */
const IGNORED = new Set(['EVENT_NOT_ACCEPTED', 'EVENT_UNKNOWN', 'INSTANCE_DONE']);

/**
 * Whether a rejection stands for "nothing happens". A script's event named ""
 * only lets time pass: Stator refuses an empty type as bad input, XState takes
 * it (a `*` transition would); either way any difference shows in the next
 * observation, which is taken as usual.
 */
const ignored = (code: string, name: string): boolean =>
  IGNORED.has(code) || (name === '' && code === 'VALIDATION_FAILED');

/** Runs the jobs on one engine; if registering them together fails, each on its own. */
export async function runOnStator(jobs: readonly StatorJob[]): Promise<StatorRun[]> {
  const dir = mkdtempSync(join(tmpdir(), 'stator-conformance-'));
  const host = new Host(
    jobs.map((j) => j.machine),
    join(dir, 'stator.db'),
  );
  try {
    try {
      await host.open();
    } catch (error) {
      if (jobs.length > 1) return (await Promise.all(jobs.map((j) => runOnStator([j])))).flat();
      return [{ steps: [], refusal: refusal(error, 'registration') }];
    }
    const sessions = jobs.map((j) => new Session(host, j));
    for (const s of sessions) await s.firstHalf();
    await host.restart();
    for (const s of sessions) await s.secondHalf();
    return sessions.map((s) => s.result());
  } finally {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The engine the sessions share, reopened over the same file on restart. */
class Host {
  readonly #machines: readonly AnyStateMachine[];
  readonly #file: string;
  #t: TestEngine | undefined;
  /** What the engine logged since the last observation, and dead letters already reported. */
  notes: string[] = [];
  readonly deadSeen = new Set<string>();

  constructor(machines: readonly AnyStateMachine[], file: string) {
    this.#machines = machines;
    this.#file = file;
  }

  get t(): TestEngine {
    if (!this.#t) throw new Error('engine not open');
    return this.#t;
  }

  async open(start?: number): Promise<void> {
    this.#t = await createTestEngine({
      machines: this.#machines,
      store: sqliteStore({ path: this.#file, synchronous: 'OFF' }),
      ...(start !== undefined && { start }),
      // A failed effect or timer is dead-lettered at once: the run sees it at the step that caused it.
      actions: { maxAttempts: 1 },
      timers: { maxAttempts: 1 },
      log: (text, error) => {
        this.notes.push(error === undefined || error === '' ? text : `${text}: ${message(error)}`);
      },
    });
  }

  async restart(): Promise<void> {
    const now = this.t.clock.now();
    await this.close();
    await this.open(now);
  }

  async close(): Promise<void> {
    const t = this.#t;
    this.#t = undefined;
    await t?.close();
  }
}

class Session {
  readonly #host: Host;
  readonly #machine: AnyStateMachine;
  readonly #script: TestScript;
  readonly #children: string[];
  readonly #steps: Observation[] = [];
  #refusal: Refusal | undefined;
  #replay: string | undefined;

  constructor(host: Host, job: StatorJob) {
    this.#host = host;
    this.#machine = job.machine;
    this.#script = job.script;
    this.#children = childMachines(job.machine);
  }

  get #name(): string {
    return this.#machine.id;
  }

  get #restartAt(): number {
    return Math.floor(this.#script.events.length / 2);
  }

  /** Creation and the events before the restart. */
  async firstHalf(): Promise<void> {
    await this.#step(
      'initial',
      async (t) => {
        await t.engine.create(this.#name, INSTANCE);
        await t.settle();
        if (this.#script.events.length === 0) this.#steps.push(await this.#observe('created'));
      },
      this.#script.events.length > 0,
    );
    for (let i = 0; i < this.#restartAt; i++) await this.#event(i);
  }

  /** After the restart: timers of a script without events, the other events, the replay check. */
  async secondHalf(): Promise<void> {
    if (this.#script.events.length === 0) await this.#step('initial', (t) => this.#drain(t));
    for (let i = this.#restartAt; i < this.#script.events.length; i++) await this.#event(i);
    if (!this.#refusal) this.#replay = await this.#replayCheck();
  }

  result(): StatorRun {
    return {
      steps: this.#steps,
      ...(this.#refusal && { refusal: this.#refusal }),
      ...(this.#replay !== undefined && { replay: this.#replay }),
    };
  }

  async #event(i: number): Promise<void> {
    const step = this.#script.events[i];
    if (!step) return;
    await this.#step(`event ${step.event.name}`, async (t) => {
      if (step.after) await t.advanceBy(step.after);
      try {
        await t.engine.send(this.#name, INSTANCE, toEvent(step.event));
      } catch (error) {
        if (!isStatorError(error) || !ignored(error.code, step.event.name)) throw error;
        this.#host.notes.push(`rejected: ${error.code}`);
      }
      await t.settle();
    });
  }

  /** Runs one step and records its observation (unless `observe` is false); a Stator error ends the run. */
  async #step(
    label: string,
    body: (t: TestEngine) => Promise<void>,
    observe = true,
  ): Promise<void> {
    if (this.#refusal) return;
    try {
      await body(this.#host.t);
      if (observe) this.#steps.push(await this.#observe(label));
    } catch (error) {
      this.#refusal = refusal(error, label);
    }
  }

  /** Fires timers until none is left or the instance finished (a W3C test runs to completion). */
  async #drain(t: TestEngine): Promise<void> {
    for (let round = 0; round < MAX_TIMER_ROUNDS; round++) {
      const next = await t.store.nextTimerDue();
      const state = await t.engine.get(this.#name, INSTANCE);
      if (next === undefined || state.status !== 'active') return;
      await t.advanceBy(Math.max(0, next - t.clock.now()));
    }
  }

  async #observe(label: string): Promise<Observation> {
    const { engine } = this.#host.t;
    const state = await engine.get(this.#name, INSTANCE);
    const dead = await engine.deadLetters(1000);
    const letters = [...dead.timers.map(deadTimer), ...dead.effects.map(deadEffect)];
    const notes = this.#host.notes;
    for (const [key, text] of letters) {
      if (this.#host.deadSeen.has(key)) continue;
      this.#host.deadSeen.add(key);
      notes.push(`dead-lettered: ${text}`);
    }
    this.#host.notes = [];
    return {
      label,
      value: state.value,
      context: state.context,
      status: state.status,
      children: await this.#childIds(),
      notes,
    };
  }

  /** Active durable child instances of this instance, by their child id. */
  async #childIds(): Promise<string[]> {
    const { engine } = this.#host.t;
    const prefix = `${this.#name}~${INSTANCE}~`;
    const ids: string[] = [];
    for (const name of this.#children) {
      const { instances } = await engine.list(name, { status: 'active', limit: 1000 });
      for (const i of instances) {
        // `@<n>`: the n-th spawn of that child id, which XState knows by the id alone.
        if (i.id.startsWith(prefix)) ids.push(i.id.slice(prefix.length).replace(/@\d+$/, ''));
      }
    }
    return ids.sort();
  }

  async #replayCheck(): Promise<string | undefined> {
    const { engine } = this.#host.t;
    try {
      const got = await engine.get(this.#name, INSTANCE);
      const replayed = await engine.replay(this.#name, INSTANCE);
      for (const key of ['value', 'context', 'status'] as const) {
        if (canonical(got[key]) !== canonical(replayed[key]))
          return `replay ${key} ${canonical(replayed[key])} differs from get ${canonical(got[key])}`;
      }
      return undefined;
    } catch (error) {
      const r = refusal(error, 'replay');
      return `replay threw ${r.code}: ${r.message}`;
    }
  }
}

/** Names of the machines a machine invokes (Stator registers them as machines of their own). */
function childMachines(machine: AnyStateMachine): string[] {
  const names: string[] = [];
  for (const [, logic] of allActorLogic(machine)) {
    const child = logic as unknown as AnyStateMachine;
    if (typeof child.id === 'string' && 'root' in child) {
      names.push(child.id, ...childMachines(child));
    }
  }
  return names;
}

/** A dead letter: its identity and how the run reports it. */
type Letter = [key: string, text: string];

function deadTimer(t: TimerRow): Letter {
  return [`${t.machine}/${t.id}/${t.timerId}`, `timer ${t.timerId}: ${t.lastError ?? ''}`];
}

function deadEffect(e: OutboxRow): Letter {
  return [e.effectId, `${e.effect.kind} effect: ${e.lastError ?? ''}`];
}

function refusal(error: unknown, at: string): Refusal {
  if (isStatorError(error)) return { code: error.code, message: error.message, at };
  return { code: 'THROWN', message: message(error), at };
}
