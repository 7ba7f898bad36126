import type { AnyMachineSnapshot, StateValue } from 'xstate';
import { errors } from '../core/errors.js';
import { eventObject } from '../core/event-object.js';
import { MIGRATED_EVENT, migrateSnapshot } from '../core/migrate.js';
import type { Effect } from '../core/types.js';
import type { EventRow, InstanceKey, Store } from '../store/types.js';
import type { MachineEntry } from './registry.js';

const PAGE = 1000;

/** The creation event's type: its payload holds the instance's `input`. */
export const INIT_EVENT = 'xstate.init';

/**
 * Told of every event a rebuild applies, with the effects its step produced
 * (never run) and the state after it. A replay that starts over on another
 * version tells the creation event again: observers start over on it.
 */
export type StepObserver = (
  event: EventRow,
  effects: readonly Effect[],
  snapshot: AnyMachineSnapshot,
  entry: MachineEntry,
) => void;

/** Finds a registered version of the instance's machine (MACHINE_VERSION_NOT_FOUND otherwise). */
export type VersionResolver = (version: string) => MachineEntry;

/**
 * Rebuilds an instance from its latest snapshot (unless `fromScratch`) and the
 * events after it, running only the pure step: no effect is produced or run.
 * `upTo` stops at that seq (the seq of an instance row just read), so events
 * another process commits meanwhile do not carry the state past the row.
 *
 * The version in effect follows the history: a snapshot says its version; a
 * `stator.migrated` event moves the state to its target version (by the same
 * pure transform as the migration, from the value and context it recorded).
 * From scratch, replay starts on `startVersion` (the instance's current one);
 * when a migration shows the instance was created on another, replay starts
 * over on that one.
 */
export async function rebuild(
  store: Store,
  resolve: VersionResolver,
  startVersion: string,
  key: InstanceKey,
  fromScratch = false,
  upTo = Number.POSITIVE_INFINITY,
  observe?: StepObserver,
): Promise<{ snapshot: AnyMachineSnapshot; seq: number; entry: MachineEntry }> {
  const stored = fromScratch ? undefined : await store.latestSnapshot(key);
  let first = stored ? resolve(stored.version) : resolve(startVersion);
  for (let attempt = 0; ; attempt++) {
    let entry = first;
    let snapshot = stored ? entry.stepper.restore(stored.snapshot) : undefined;
    let seq = stored?.seq ?? 0;
    let restart: string | undefined;
    pages: while (seq < upTo) {
      const limit = Math.min(PAGE, upTo - seq);
      // Pages are capped by payload bytes too: only an empty page means the end.
      const events = await store.readEvents(key, { after: seq, limit });
      if (events.length === 0) break;
      for (const event of events) {
        if (event.type === MIGRATED_EVENT) {
          const moved = migrated(resolve, entry, key, snapshot, event);
          if ('restartOn' in moved) {
            restart = moved.restartOn;
            break pages;
          }
          ({ entry, snapshot } = moved);
          observe?.(event, moved.effects, moved.snapshot, entry);
        } else {
          const applied = apply(entry, key, snapshot, event);
          snapshot = applied.snapshot;
          observe?.(event, applied.effects, snapshot, entry);
        }
        seq = event.seq;
      }
    }
    if (restart !== undefined && attempt === 0 && !stored) {
      first = resolve(restart);
      continue;
    }
    if (restart !== undefined) {
      throw errors.replayDiverged(
        key.machine,
        key.id,
        seq + 1,
        `a migration from version ${restart} met an instance on version ${entry.version}`,
      );
    }
    if (!snapshot) throw errors.instanceNotFound(key.machine, key.id);
    return { snapshot, seq, entry };
  }
}

/** A recorded migration, replayed: the state on its target version, or where replay must start over. */
function migrated(
  resolve: VersionResolver,
  entry: MachineEntry,
  key: InstanceKey,
  snapshot: AnyMachineSnapshot | undefined,
  event: EventRow,
):
  | { entry: MachineEntry; snapshot: AnyMachineSnapshot; effects: readonly Effect[] }
  | { restartOn: string } {
  const { from, to, value, context } = event.payload as {
    from: string;
    to: string;
    value: StateValue;
    context: unknown;
  };
  if (from !== entry.version) return { restartOn: from };
  if (!snapshot)
    throw errors.replayDiverged(
      key.machine,
      key.id,
      event.seq,
      'a migration before the creation event',
    );
  const target = resolve(to);
  const moved = migrateSnapshot(entry.stepper, target.stepper, snapshot, {
    value,
    context,
    at: event.recordedAt,
  });
  return { entry: target, snapshot: moved.snapshot, effects: moved.effects };
}

function apply(
  entry: MachineEntry,
  key: InstanceKey,
  snapshot: AnyMachineSnapshot | undefined,
  event: EventRow,
): { snapshot: AnyMachineSnapshot; effects: readonly Effect[] } {
  // No closure per event: a rebuild steps thousands of them.
  const env = { at: event.recordedAt, seq: event.seq };
  let reason: string;
  try {
    if (event.type === INIT_EVENT) {
      if (!snapshot) return entry.stepper.initial(event.payload.input, env);
      reason = 'a second creation event';
    } else if (!snapshot) {
      reason = 'events before the creation event';
    } else {
      const outcome = entry.stepper.next(snapshot, eventObject(event.type, event.payload), env);
      if (outcome.accepted) return outcome;
      reason = `event "${event.type}" is no longer accepted`;
    }
  } catch (error) {
    // A guard or assign that throws now is a divergence; the engine's own errors pass.
    if (error instanceof Error && 'code' in error) throw error;
    reason = error instanceof Error ? error.message : String(error);
  }
  throw errors.replayDiverged(key.machine, key.id, event.seq, reason);
}
