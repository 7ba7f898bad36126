/**
 * What an operator does with failed work: look at one dead letter, discard it
 * (deleted, with an audit row on its instance saying who and what), and run an
 * effect that waits for its next retry now. Putting a dead letter back in line
 * is `retryDeadLetter` (engine.ts).
 */
import { randomUUID } from 'node:crypto';
import { errors } from '../../core/errors.js';
import { ids } from '../../core/ids.js';
import type { Actor } from '../../core/types.js';
import type { AuditRow, OutboxRow, TimerRow } from '../../store/types.js';
import type { RuntimeContext } from '../context.js';
import type { DeadLetterRef } from '../types.js';

/** The event type of the audit row a discarded dead letter leaves on its instance. */
export const DISCARD_EVENT = 'stator.dead-letter.discarded';

/** The dead timer or effect `ref` names, or undefined when there is none (or it is not dead). */
export async function findDeadLetter(
  ctx: RuntimeContext,
  ref: DeadLetterRef,
): Promise<TimerRow | OutboxRow | undefined> {
  const row =
    ref.kind === 'timer'
      ? await ctx.store.getTimer({ machine: ref.machine, id: ref.id }, ref.timerId)
      : await ctx.store.getOutbox(ref.effectId);
  return row?.status === 'dead' ? row : undefined;
}

/**
 * Deletes a dead letter for good and records that in its instance's audit log
 * (`stator.dead-letter.discarded`, outcome `discarded`, the letter and its last
 * error in `reason`). False when there is no such dead letter.
 */
export async function discardDeadLetter(
  ctx: RuntimeContext,
  ref: DeadLetterRef,
  actor: Actor | null,
): Promise<boolean> {
  const row = await findDeadLetter(ctx, ref);
  if (!row) return false;
  const instance = await ctx.store.getInstance(row);
  const what =
    'timerId' in row
      ? `timer ${row.timerId} (event ${row.event.type})`
      : `effect ${row.effectId} (${row.effect.kind}${'src' in row.effect ? ` ${row.effect.src}` : 'type' in row.effect ? ` ${row.effect.type}` : ''})`;
  const at = ctx.clock.now();
  const audit: AuditRow = {
    machine: row.machine,
    id: row.id,
    transitionId: ids.rejection(row, randomUUID()),
    seq: null,
    actor,
    eventType: DISCARD_EVENT,
    from: instance?.value ?? null,
    to: null,
    at,
    traceId: null,
    outcome: 'discarded',
    reason: `dead letter ${what} discarded after ${row.attempts ?? 0} attempts; last error: ${row.lastError ?? 'none recorded'}`,
  };
  if ('timerId' in row) {
    const result = await ctx.committer.submit({
      kind: 'audit',
      audit,
      timersCancelled: [row.timerId],
    });
    return result.ok;
  }
  await ctx.committer.submit({ kind: 'outbox-done', effectIds: [row.effectId] });
  await ctx.committer.submit({ kind: 'audit', audit });
  return true;
}

/**
 * Moves the next attempt of an effect that failed and waits for its retry
 * (an activity or action between attempts) to now. EFFECT_NOT_FOUND when the
 * instance has no such unfinished effect; EFFECT_NOT_WAITING when it is
 * running, due already, dead (retry dead letters instead) or an interrupted
 * at-most-once activity. Returns the row as it is now.
 */
export async function retryEffectNow(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  effectId: string,
): Promise<OutboxRow> {
  const row = await ctx.store.getOutbox(effectId);
  if (!row || row.machine !== machine || row.id !== id) {
    throw errors.effectNotFound(machine, id, effectId);
  }
  const notWaiting = (why: string) => errors.effectNotWaiting(machine, id, effectId, why);
  const status = row.status ?? 'pending';
  if (status === 'dead') {
    throw notWaiting(
      'it is dead-lettered: put it back with POST /v1/dead-letters/effects/{effectId}/retry (stator dead-letters retry)',
    );
  }
  if (status === 'started') {
    throw notWaiting(
      'it is an at-most-once activity that began; it is not run again, and the machine hears that it was interrupted',
    );
  }
  const now = ctx.clock.now();
  if (row.attempts === 0) throw notWaiting('it has not failed yet: it runs now, or is about to');
  if (row.nextAttemptAt <= now) throw notWaiting('its next attempt is due already');
  const retried = { attempts: row.attempts, lastError: row.lastError ?? '', at: now };
  await ctx.store.retryOutbox(effectId, retried);
  return { ...row, nextAttemptAt: now };
}
