/**
 * Offline shadow runs: each instance's recorded events replayed on a
 * candidate version beside the version that really ran them (pure steps
 * only: nothing is written, nothing runs), compared after every event. An
 * instance diverges at the first event whose state, status, context or
 * effects differ, or that the candidate would not accept. Zero divergence is
 * the evidence that a cutover is safe. An instance that was migrated is
 * compared from its last migration on (the candidate taking the state it was
 * migrated to); instances already on the candidate are skipped.
 */
import type { AnyMachineSnapshot, StateValue } from 'xstate';
import { eventObject } from '../../core/event-object.js';
import { MIGRATED_EVENT, migrateSnapshot } from '../../core/migrate.js';
import type { Effect } from '../../core/types.js';
import type { EventRow, InstanceReads, InstanceRow } from '../../store/types.js';
import { INIT_EVENT } from '../recovery.js';
import type { MachineEntry, MachineRegistry } from '../registry.js';
import { difference, signatureOf } from './signature.js';
import type { ShadowDivergence, ShadowOptions, ShadowReport, StepSignature } from './types.js';

interface Stepped {
  readonly snapshot: AnyMachineSnapshot;
  readonly effects: readonly Effect[];
}

export async function shadowRun(
  store: InstanceReads,
  registry: MachineRegistry,
  machine: string,
  candidate: string,
  options: ShadowOptions = {},
): Promise<ShadowReport> {
  const target = registry.get(machine, candidate);
  const divergences: ShadowDivergence[] = [];
  let examined = 0;
  for await (const row of instancesOf(store, machine, options)) {
    // Instances already on the candidate have nothing to compare against.
    if (row.version === candidate) continue;
    if (options.sample !== undefined && examined >= options.sample) break;
    examined++;
    const found = await compareInstance(store, registry, target, row);
    if (found) divergences.push(found);
  }
  return { machine, candidate, examined, identical: examined - divergences.length, divergences };
}

async function* instancesOf(
  store: InstanceReads,
  machine: string,
  options: ShadowOptions,
): AsyncIterable<InstanceRow> {
  if (options.ids) {
    for (const id of options.ids) {
      const row = await store.getInstance({ machine, id });
      if (row) yield row;
    }
    return;
  }
  for (let afterId: string | undefined; ; ) {
    const page = await store.listInstances({ machine, limit: 500, ...(afterId && { afterId }) });
    yield* page;
    if (page.length < 500) return;
    afterId = page.at(-1)?.id;
  }
}

export async function allEvents(store: InstanceReads, row: InstanceRow): Promise<EventRow[]> {
  const events: EventRow[] = [];
  for (let after = 0; ; ) {
    // Pages are capped by bytes too: only an empty page means the end.
    const page = await store.readEvents(row, { after, limit: 1000 });
    if (page.length === 0) return events;
    events.push(...page);
    after = page.at(-1)?.seq ?? after;
  }
}

/** The first divergence of one instance, if any (offline: its whole history). */
async function compareInstance(
  store: InstanceReads,
  registry: MachineRegistry,
  target: MachineEntry,
  row: InstanceRow,
): Promise<ShadowDivergence | undefined> {
  const events = await allEvents(store, row);
  const first = events.find((e) => e.type === MIGRATED_EVENT);
  const replay = new ShadowReplay(
    registry,
    target,
    row.id,
    first ? String(first.payload.from) : row.version,
  );
  for (const event of events) replay.apply(event);
  return replay.divergence;
}

/**
 * One instance's history, stepped on the versions that ran it and beside
 * them on the candidate. A migration re-seeds the candidate from the state
 * it moved to (and clears a divergence found before it: that compared
 * another version); after a divergence, only the recorded side is stepped.
 */
export class ShadowReplay {
  readonly #registry: MachineRegistry;
  readonly #target: MachineEntry;
  readonly #id: string;
  #entry: MachineEntry;
  #actual: AnyMachineSnapshot | undefined;
  #shadow: AnyMachineSnapshot | undefined;
  #divergence: ShadowDivergence | undefined;
  #seq = 0;

  constructor(registry: MachineRegistry, target: MachineEntry, id: string, startVersion: string) {
    this.#registry = registry;
    this.#target = target;
    this.#id = id;
    this.#entry = registry.get(target.name, startVersion);
  }

  /** The seq of the last event applied. */
  get seq(): number {
    return this.#seq;
  }

  get divergence(): ShadowDivergence | undefined {
    return this.#divergence;
  }

  /** Applies the next recorded event; returns a divergence it found (once). */
  apply(event: EventRow): ShadowDivergence | undefined {
    this.#seq = event.seq;
    const found = this.#step(event);
    if (found && !this.#divergence) {
      this.#divergence = found;
      return found;
    }
    return undefined;
  }

  #step(event: EventRow): ShadowDivergence | undefined {
    const env = { at: event.recordedAt, seq: event.seq };
    const at = (reason: string, expected?: StepSignature, got?: StepSignature) => ({
      id: this.#id,
      seq: event.seq,
      eventType: event.type,
      reason,
      ...(expected && { expected }),
      ...(got && { actual: got }),
    });
    if (event.type === MIGRATED_EVENT) {
      const { to, value, context } = event.payload as {
        to: string;
        value: StateValue;
        context: unknown;
      };
      const prior = this.#actual;
      if (!prior) return at('a migration before the creation event');
      const next = this.#registry.get(this.#target.name, to);
      const move = { value, context, at: event.recordedAt };
      this.#actual = migrateSnapshot(this.#entry.stepper, next.stepper, prior, move).snapshot;
      this.#divergence = undefined;
      try {
        this.#shadow = migrateSnapshot(
          this.#entry.stepper,
          this.#target.stepper,
          prior,
          move,
        ).snapshot;
      } catch (error) {
        this.#shadow = undefined;
        return at(`the candidate cannot take the migrated state: ${(error as Error).message}`);
      } finally {
        this.#entry = next;
      }
      return undefined;
    }
    let expected: Stepped | undefined;
    try {
      expected = step(this.#entry, this.#actual, event, env);
    } catch (error) {
      return at(`the recorded version no longer replays: ${(error as Error).message}`);
    }
    if (!expected) return at('the recorded version no longer accepts this event');
    this.#actual = expected.snapshot;
    if (this.#divergence) return undefined;
    let got: Stepped | undefined;
    try {
      got = step(this.#target, this.#shadow, event, env);
    } catch (error) {
      return at(`the candidate threw: ${(error as Error).message}`);
    }
    const a = signatureOf(expected.snapshot, expected.effects);
    if (got === undefined) return at('the candidate does not accept this event', a);
    const b = signatureOf(got.snapshot, got.effects);
    this.#shadow = got.snapshot;
    const why = difference(a, b);
    return why ? at(why, a, b) : undefined;
  }
}

/** One pure step; undefined when the event is not accepted. */
function step(
  entry: MachineEntry,
  snapshot: AnyMachineSnapshot | undefined,
  event: EventRow,
  env: { at: number; seq: number },
): Stepped | undefined {
  if (event.type === INIT_EVENT) return entry.stepper.initial(event.payload.input, env);
  if (!snapshot) throw new Error('an event before the creation event');
  const out = entry.stepper.next(snapshot, eventObject(event.type, event.payload), env);
  return out.accepted ? out : undefined;
}
