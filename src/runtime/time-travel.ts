import type { StateValue } from 'xstate';
import { errors } from '../core/errors.js';
import { MIGRATED_EVENT } from '../core/migrate.js';
import type { Effect, InstanceStatus } from '../core/types.js';
import type { EventRow, InstanceKey, Store } from '../store/types.js';
import { INIT_EVENT, rebuild, type VersionResolver } from './recovery.js';
import type { PastActivity, PastState, PastTimer } from './types.js';

/**
 * Rebuilds an instance as it was after the event at `seq`: the pure step from
 * the creation event on (never a snapshot, so timers and activities can be
 * followed), across recorded migrations, with no effect run and nothing
 * written. Timers and activities are the net of the steps' effects: a timer
 * leaves when cancelled or when an event of its type arrives (it fired); an
 * activity when stopped or when its done/error event arrives.
 */
export async function stateAt(
  store: Store,
  resolve: VersionResolver,
  startVersion: string,
  key: InstanceKey,
  seq: number,
): Promise<PastState> {
  const timers = new Map<string, PastTimer>();
  const activities = new Map<string, PastActivity>();
  let value: StateValue | undefined;
  let enteredAt = 0;
  let last: EventRow | undefined;
  const { snapshot, entry } = await rebuild(
    store,
    resolve,
    await versionAt(store, key, seq, startVersion),
    key,
    true,
    seq,
    (event, effects, after) => {
      if (event.type === INIT_EVENT) {
        timers.clear();
        activities.clear();
        value = undefined;
      }
      fired(timers, activities, event);
      follow(timers, activities, event.seq, effects);
      if (value === undefined || JSON.stringify(value) !== JSON.stringify(after.value)) {
        enteredAt = event.recordedAt;
      }
      value = after.value;
      last = event;
    },
  );
  if (!last || last.seq !== seq) {
    throw errors.validation(
      `Instance ${key.machine}/${key.id} has no event at seq ${seq}: its history ends at ${last?.seq ?? 0}. Ask for a seq from 1 to that.`,
    );
  }
  return {
    machine: key.machine,
    id: key.id,
    seq,
    version: entry.version,
    value: snapshot.value,
    context: snapshot.context,
    status: snapshot.status as InstanceStatus,
    stateEnteredAt: enteredAt,
    event: { seq: last.seq, type: last.type, recordedAt: last.recordedAt, actor: last.actor },
    timers: [...timers.values()].sort((a, b) => a.dueAt - b.dueAt),
    activities: [...activities.values()],
  };
}

/**
 * The version in effect after `seq`: the `from` of the first migration after
 * it, else the current one. (Replay up to `seq` never meets later migrations,
 * so it must start on this version; an earlier migration then sends it back
 * to the creation version, as on a full replay.)
 */
async function versionAt(
  store: Store,
  key: InstanceKey,
  seq: number,
  current: string,
): Promise<string> {
  for (let after = seq; ; ) {
    const events = await store.readEvents(key, { after, limit: 1000 });
    const moved = events.find((e) => e.type === MIGRATED_EVENT);
    if (moved) return String((moved.payload as { from: string }).from);
    const end = events.at(-1);
    if (!end) return current;
    after = end.seq;
  }
}

/** What an arriving event ends: the timer it is the event of, the activity it reports on. */
function fired(
  timers: Map<string, PastTimer>,
  activities: Map<string, PastActivity>,
  event: EventRow,
): void {
  for (const [id, timer] of timers) {
    if (timer.target === 'self' && timer.event.type === event.type) {
      timers.delete(id);
      break;
    }
  }
  const done = /^xstate\.(?:done|error)\.actor\.(.+)$/.exec(event.type)?.[1];
  if (done !== undefined) activities.delete(done);
}

function follow(
  timers: Map<string, PastTimer>,
  activities: Map<string, PastActivity>,
  seq: number,
  effects: readonly Effect[],
): void {
  for (const e of effects) {
    if (e.kind === 'timer.set') {
      timers.set(e.timerId, {
        timerId: e.timerId,
        dueAt: e.dueAt,
        setBySeq: seq,
        event: e.event,
        target: e.target,
      });
    } else if (e.kind === 'timer.cancel') timers.delete(e.timerId);
    else if (e.kind === 'activity.start') {
      activities.set(e.activityId, { activityId: e.activityId, src: e.src, startedBySeq: seq });
    } else if (e.kind === 'activity.stop') activities.delete(e.activityId);
  }
}
