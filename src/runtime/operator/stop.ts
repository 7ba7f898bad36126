/**
 * Stopping an instance by hand (an operator's cancel): `xstate.stop` in its
 * history, as a parent stopping a durable child records it, authorized like
 * an event of that type (the module policies' `operate` rule). Its activities
 * are stopped through the outbox and its pending timers deleted in the same
 * transaction; it accepts no events afterwards (INSTANCE_DONE). Replay applies
 * `xstate.stop` like any event, so a stopped instance rebuilds from its log.
 */
import type { EventObject } from 'xstate';
import { errors, SequenceConflictError } from '../../core/errors.js';
import { STOP } from '../../core/step.js';
import { admitOrDeny, decideOrDeny } from '../authorize.js';
import { committed, envelopeOf, idempotencyOf, recordedResult, submit } from '../commit-path.js';
import type { RuntimeContext } from '../context.js';
import { instanceKey } from '../instance-cache.js';
import { load, MAX_CONFLICT_RETRIES } from '../load.js';
import { reject } from '../rejections.js';
import type { CommandResult, StopOptions } from '../types.js';
import { buildEventWrite } from '../write.js';

/** The event type an operator's stop is recorded and authorized under. */
export const STOP_EVENT = STOP;

/** Stops one instance (inside its mailbox). */
export async function stop(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  options: StopOptions,
  attempt = 0,
): Promise<CommandResult> {
  const at = ctx.clock.now();
  const event = {
    type: STOP_EVENT,
    ...(options.reason !== undefined && { reason: options.reason }),
  } as EventObject;
  const asked = envelopeOf(event, at, options);
  if (attempt === 0) await admitOrDeny(ctx, machine, id, asked);
  const { row, entry, snapshot } = await load(ctx, machine, id);
  await decideOrDeny(ctx, machine, id, asked, row, false);
  const idem = idempotencyOf(options, false, { stop: machine, reason: options.reason ?? null });
  const recorded = idem && (await recordedResult(ctx, machine, id, idem, options.idempotencyKey));
  if (recorded) return recorded;
  if (row.status !== 'active') {
    await reject(ctx, row, asked, 'rejected_invalid', 'INSTANCE_DONE');
    throw errors.instanceDone(machine, id, row.status);
  }
  const seq = row.seq + 1;
  let outcome: ReturnType<typeof entry.stepper.next>;
  try {
    outcome = entry.stepper.next(snapshot, event, { at, seq });
  } catch (cause) {
    throw errors.stepFailed(machine, id, STOP_EVENT, cause);
  }
  if (!outcome.accepted)
    throw errors.eventNotAccepted(machine, id, String(row.value), STOP_EVENT, []);
  const built = buildEventWrite({
    entry,
    id,
    seq,
    envelope: asked,
    previous: row,
    before: snapshot,
    after: outcome.snapshot,
    effects: outcome.effects,
    idempotency: idem,
    outboxLease: ctx.outboxLease(at),
  });
  // XState's stop leaves delayed events to the actor system it tears down: here they are rows.
  const timers = await ctx.store.listTimers(row);
  const cancelled = new Set(built.timersCancelled);
  for (const t of timers) if ((t.status ?? 'pending') === 'pending') cancelled.add(t.timerId);
  const write = { ...built, timersSet: [], timersCancelled: [...cancelled] };
  const result = await submit(ctx, write);
  if (!result.ok) {
    ctx.cache.delete(instanceKey(machine, id));
    if (result.code === 'SEQUENCE_CONFLICT' && attempt < MAX_CONFLICT_RETRIES) {
      return stop(ctx, machine, id, options, attempt + 1);
    }
    if (result.code === 'IDEMPOTENCY_MISMATCH' && idem) {
      const again = await recordedResult(ctx, machine, id, idem, options.idempotencyKey);
      if (again) return again;
    }
    throw new SequenceConflictError(machine, id, row.seq, result.actual ?? -1);
  }
  ctx.cache.set(instanceKey(machine, id), {
    entry,
    snapshot: outcome.snapshot,
    row: write.instance,
  });
  return committed(ctx, write);
}
