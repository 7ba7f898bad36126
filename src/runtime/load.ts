import type { AnyMachineSnapshot } from 'xstate';
import { contextData } from '../core/context-data.js';
import { errors, StatorError } from '../core/errors.js';
import { formatStateValue } from '../core/state-value.js';
import type { InstanceRow } from '../store/types.js';
import type { RuntimeContext } from './context.js';
import { canonicalJson } from './fingerprint.js';
import { instanceKey, type LoadedInstance } from './instance-cache.js';
import { rebuild } from './recovery.js';

/** How often a send reloads and retries after another writer got in first. */
export const MAX_CONFLICT_RETRIES = 5;

/**
 * The instance as last committed: from the cache, or rebuilt from the store.
 * `minSeq`: the caller knows the instance reached this seq (an outbox row or timer
 * written by it), so a cached state older than that, left behind by a commit in
 * another process, is reloaded.
 */
export async function load(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  minSeq = 0,
): Promise<LoadedInstance> {
  const key = instanceKey(machine, id);
  const hit = ctx.cache.get(key);
  if (hit && hit.row.seq >= minSeq) return hit;
  for (let reads = 1; ; reads++) {
    const row = await ctx.store.getInstance({ machine, id });
    if (!row) throw errors.instanceNotFound(machine, id);
    const resolve = (version: string) => ctx.registry.get(machine, version);
    // Up to the row's seq: another process may commit more meanwhile.
    const { snapshot, seq, entry } = await rebuild(
      ctx.store,
      resolve,
      row.version,
      { machine, id },
      false,
      row.seq,
    ).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 'REPLAY_DIVERGED') {
        diverged(ctx, machine, id, (error as Error).message);
      }
      throw error;
    });
    if (seq === row.seq) {
      const differs = divergence(row, snapshot);
      if (differs) {
        diverged(ctx, machine, id, differs);
        throw errors.rebuiltStateDiffers(machine, id, row.seq, differs);
      }
      const loaded = { entry, snapshot, row };
      ctx.cache.set(key, loaded);
      return loaded;
    }
    // A snapshot newer than the row: another process committed since. Read the row again.
    if (seq > row.seq && reads < MAX_CONFLICT_RETRIES) continue;
    throw new StatorError(
      'STORE_ERROR',
      `Instance ${machine}/${id}: the instance row is at seq ${row.seq} but its events end at ${seq}. The store is inconsistent; restore it from backup.`,
      { machine, id, rowSeq: row.seq, eventSeq: seq },
    );
  }
}

function diverged(ctx: RuntimeContext, machine: string, id: string, reason: string): void {
  ctx.inspector.emit({ type: 'replay.diverged', at: ctx.clock.now(), machine, id, reason });
}

/**
 * Where a state rebuilt from snapshot + events differs from the stored instance
 * row (a changed definition replayed on old events, or an edited store), or
 * undefined when they agree.
 */
function divergence(row: InstanceRow, snapshot: AnyMachineSnapshot): string | undefined {
  if (canonicalJson(snapshot.value) !== canonicalJson(row.value)) {
    return `the events lead to state ${formatStateValue(snapshot.value)}, the stored row says ${formatStateValue(row.value)}`;
  }
  if (snapshot.status !== row.status) {
    return `the events lead to status ${snapshot.status}, the stored row says ${row.status}`;
  }
  if (canonicalJson(contextData(snapshot.context)) !== canonicalJson(row.context)) {
    return 'the events lead to a different context than the stored row';
  }
  return undefined;
}
