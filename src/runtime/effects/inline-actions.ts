import { ENQUEUED_PLACE } from '../../core/effects.js';
import type { EventObject } from '../../core/types.js';
import type { OutboxRow } from '../../store/types.js';
import type { RuntimeContext } from '../context.js';
import { INIT_EVENT, rebuild } from '../recovery.js';
import type { MachineEntry } from '../registry.js';

type ActionFn = (...args: unknown[]) => unknown;

/**
 * The function behind an inline action (`ActionEffect.inline`), in the machine
 * version that committed it. A function written in the chart is found by its
 * place. One made while the step ran (an inline function given to `enqueue`)
 * is found by running that step again, from the state before it, with the
 * event it recorded: steps are pure, so it collects the same actions in the
 * same order, and the n-th is the function that was enqueued.
 */
export async function inlineAction(
  ctx: RuntimeContext,
  entry: MachineEntry,
  row: OutboxRow,
  place: string,
): Promise<ActionFn | undefined> {
  if (!place.startsWith(ENQUEUED_PLACE)) return entry.stepper.inline.get(place);
  const index = Number(place.slice(ENQUEUED_PLACE.length));
  const key = { machine: row.machine, id: row.id };
  const [recorded] = await ctx.store.readEvents(key, { after: row.seq - 1, limit: 1 });
  if (!recorded || recorded.seq !== row.seq) return undefined;
  const event = { ...recorded.payload, type: recorded.type } as EventObject & { input?: unknown };
  const env = { at: recorded.recordedAt, seq: row.seq };
  const before = await stateBefore(ctx, entry, row);
  const actions =
    recorded.type === INIT_EVENT
      ? before.entry.stepper.collectedActions(undefined, event, env)
      : before.snapshot && before.entry.stepper.collectedActions(before.snapshot, event, env);
  const exec = actions?.[index]?.exec;
  return typeof exec === 'function' ? (exec as ActionFn) : undefined;
}

/** The instance's state just before the event at `row.seq` (none before its creation). */
async function stateBefore(ctx: RuntimeContext, entry: MachineEntry, row: OutboxRow) {
  if (row.seq <= 1) return { entry, snapshot: undefined };
  const key = { machine: row.machine, id: row.id };
  const resolve = (version: string) => ctx.registry.get(row.machine, version);
  const upTo = row.seq - 1;
  const fromSnapshot = await rebuild(ctx.store, resolve, entry.version, key, false, upTo);
  // The latest snapshot may be newer than the state wanted: replay from the start then.
  const rebuilt =
    fromSnapshot.seq === upTo
      ? fromSnapshot
      : await rebuild(ctx.store, resolve, entry.version, key, true, upTo);
  return { entry: rebuilt.entry, snapshot: rebuilt.snapshot };
}
