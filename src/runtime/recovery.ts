import type { AnyMachineSnapshot } from 'xstate';
import { errors } from '../core/errors.js';
import type { EventRow, InstanceKey, Store } from '../store/types.js';
import type { MachineEntry } from './registry.js';

const PAGE = 1000;

/** The creation event's type: its payload holds the instance's `input`. */
export const INIT_EVENT = 'xstate.init';

/**
 * Rebuilds an instance from its latest snapshot (unless `fromScratch`) and the
 * events after it, running only the pure step: no effect is produced or run.
 * `upTo` stops at that seq (the seq of an instance row just read), so events
 * another process commits meanwhile do not carry the state past the row.
 */
export async function rebuild(
  store: Store,
  entry: MachineEntry,
  key: InstanceKey,
  fromScratch = false,
  upTo = Number.POSITIVE_INFINITY,
): Promise<{ snapshot: AnyMachineSnapshot; seq: number }> {
  const stored = fromScratch ? undefined : await store.latestSnapshot(key);
  let snapshot = stored ? entry.stepper.restore(stored.snapshot) : undefined;
  let seq = stored?.seq ?? 0;
  while (seq < upTo) {
    const limit = Math.min(PAGE, upTo - seq);
    // Pages are capped by payload bytes too: only an empty page means the end.
    const events = await store.readEvents(key, { after: seq, limit });
    if (events.length === 0) break;
    for (const event of events) {
      snapshot = apply(entry, key, snapshot, event);
      seq = event.seq;
    }
  }
  if (!snapshot) throw errors.instanceNotFound(key.machine, key.id);
  return { snapshot, seq };
}

function apply(
  entry: MachineEntry,
  key: InstanceKey,
  snapshot: AnyMachineSnapshot | undefined,
  event: EventRow,
): AnyMachineSnapshot {
  const env = { at: event.recordedAt, seq: event.seq };
  const diverged = (reason: string) =>
    errors.replayDiverged(key.machine, key.id, event.seq, reason);
  if (event.type === INIT_EVENT) {
    if (snapshot) throw diverged('a second creation event');
    return step(() => entry.stepper.initial(event.payload.input, env).snapshot, diverged);
  }
  if (!snapshot) throw diverged('events before the creation event');
  const current = snapshot;
  const outcome = step(
    () => entry.stepper.next(current, { ...event.payload, type: event.type }, env),
    diverged,
  );
  if (!outcome.accepted) throw diverged(`event "${event.type}" is no longer accepted`);
  return outcome.snapshot;
}

/** Runs one pure step of a replay; a guard or assign that throws now is a divergence. */
function step<T>(run: () => T, diverged: (reason: string) => Error): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof Error && 'code' in error) throw error;
    throw diverged(error instanceof Error ? error.message : String(error));
  }
}
