import { StatorError } from '../../core/errors.js';
import type { ActionEffect } from '../../core/types.js';
import type { OutboxRow } from '../../store/types.js';
import * as commitPath from '../commit-path.js';
import type { EffectsContext } from './context.js';
import { inlineAction } from './inline-actions.js';

/** The transition an effect came from, as custom actions see it. */
export interface Origin {
  readonly event: { readonly type: string } | undefined;
  readonly context: unknown;
}

/**
 * Calls a custom action (named in `setup({ actions })`, or an inline function found
 * by its place in the chart) after its transition
 * committed, with its idempotency key (the effect id), the attempt, and the
 * triggering event and committed context: handed over in memory by the
 * process that committed it, or read back after a restart.
 */
export async function runAction(
  fx: EffectsContext,
  row: OutboxRow,
  effect: ActionEffect,
  known: Origin | undefined,
): Promise<void> {
  const { entry, row: instance } = await commitPath.load(fx.runtime, row.machine, row.id, row.seq);
  const origin = known ?? (await originOf(fx, row, instance.context));
  const impl =
    effect.inline === undefined
      ? (entry.stepper.machine.implementations.actions as Record<string, unknown>)[effect.type]
      : await inlineAction(fx.runtime, entry, row, effect.inline);
  if (typeof impl !== 'function' && effect.inline !== undefined) {
    throw new StatorError(
      'NON_DURABLE_MACHINE',
      `Inline action ${effect.type} at ${effect.inline} of machine "${row.machine}" is not in this version's definition (it changed under the effect): register the version that committed it, or name the action in setup({ actions }).`,
      { machine: row.machine, action: effect.type, place: effect.inline },
    );
  }
  if (typeof impl !== 'function') {
    throw new StatorError(
      'NON_DURABLE_MACHINE',
      `Action "${effect.type}" of machine "${row.machine}" has no implementation in this version: name it in setup({ actions }).`,
      { machine: row.machine, action: effect.type },
    );
  }
  await impl(
    {
      context: origin.context,
      event: origin.event,
      idempotencyKey: row.effectId,
      attempt: row.attempts + 1,
      instance: { machine: row.machine, id: row.id, seq: row.seq },
    },
    effect.params ?? undefined,
  );
}

/** After a restart: the triggering event from the log, and the instance's current context. */
async function originOf(fx: EffectsContext, row: OutboxRow, context: unknown): Promise<Origin> {
  const [event] = await fx.runtime.store.readEvents(row, { after: row.seq - 1, limit: 1 });
  return { event: event ? { ...event.payload, type: event.type } : undefined, context };
}
