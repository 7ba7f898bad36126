import type { AnyActorLogic, EventObject } from 'xstate';
import { childGeneration } from '../../core/children.js';
import { actorKind } from '../../core/durable-check.js';
import { ids } from '../../core/ids.js';
import { actorLogicOf } from '../../core/inline.js';
import type { ActivityStartEffect, Actor } from '../../core/types.js';
import type { InstanceKey, OutboxRow } from '../../store/types.js';
import * as commitPath from '../commit-path.js';
import { instanceKey } from '../instance-cache.js';
import { PARENT_TARGET } from '../write.js';
import { type EffectsContext, SYSTEM_ACTIVITY } from './context.js';
import { deliver } from './deliver.js';

/**
 * The instance id of a durable child: parent machine, parent id, the child's id
 * there and, from the second spawn of that id on, which spawn it is.
 */
export function childInstanceId(parent: InstanceKey, activityId: string, generation = 1): string {
  return ids.child(parent, activityId, generation);
}

/** The logic behind `src` (a setup({ actors }) name, or inline logic's place) in an instance's machine version, if any. */
export async function actorLogic(
  fx: EffectsContext,
  key: InstanceKey,
  src: string,
): Promise<AnyActorLogic | undefined> {
  const { entry } = await commitPath.load(fx.runtime, key.machine, key.id);
  return actorLogicOf(entry.stepper.machine, src);
}

/**
 * The durable child instance behind child id `target` of an instance, if it is a
 * machine. `minSeq`: the instance's state is read at least at that seq (see `load`).
 * `generation`: which spawn of that id (default: the child the instance has now).
 */
export async function durableChild(
  fx: EffectsContext,
  key: InstanceKey,
  target: string,
  src?: string,
  minSeq = 0,
  generation?: number,
): Promise<InstanceKey | undefined> {
  const loaded = await commitPath.load(fx.runtime, key.machine, key.id, minSeq);
  const child = loaded.snapshot.children[target] as { src?: unknown } | undefined;
  const childSrc = src ?? child?.src;
  if (typeof childSrc !== 'string') return undefined;
  const logic = await actorLogic(fx, key, childSrc);
  if (!logic || actorKind(logic) !== 'machine') return undefined;
  const spawn = generation ?? childGeneration(child);
  return {
    machine: (logic as unknown as { id: string }).id,
    id: childInstanceId(key, target, spawn),
  };
}

export interface DeliveryOptions {
  readonly actor: Actor;
  readonly idempotencyKey?: string;
  readonly minSeq?: number;
  /** Which spawn of a child target (from the send effect). */
  readonly generation?: number;
  /** Called once the event is queued at its target (or found to have none): sends keep their order. */
  readonly queued?: () => void;
}

/**
 * Sends an event from an instance to `target`: itself, its parent (`#parent`), or
 * one of its durable child machines. Returns false when the target is not a
 * durable instance (a promise activity cannot receive events).
 */
export async function deliverTo(
  fx: EffectsContext,
  from: InstanceKey,
  target: string,
  event: EventObject,
  options: DeliveryOptions,
): Promise<boolean> {
  const { minSeq, generation, queued, ...delivery } = options;
  let to: InstanceKey | undefined;
  try {
    if (target === 'self' || target === from.id) to = from;
    else if (target === PARENT_TARGET) {
      const row = await fx.runtime.store.getInstance(from);
      to = row?.parent ?? undefined;
    } else to = await durableChild(fx, from, target, undefined, minSeq, generation);
  } finally {
    if (!to) queued?.();
  }
  if (!to) return false;
  const delivered = deliver(fx, to.machine, to.id, event, delivery);
  queued?.();
  await delivered;
  return true;
}

/** Creates the durable child instance (idempotently: the effect id is the create's key). */
export async function startChild(
  fx: EffectsContext,
  row: OutboxRow,
  effect: ActivityStartEffect,
  childMachine: string,
  /** Called once the creation is queued in the child's mailbox (sends to it queue behind). */
  queued?: () => void,
): Promise<void> {
  const id = childInstanceId(row, effect.activityId, effect.generation);
  const parent = { machine: row.machine, id: row.id, activityId: effect.activityId };
  const created = fx.mailboxes.run(instanceKey(childMachine, id), async () => {
    try {
      await commitPath.create(
        fx.runtime,
        childMachine,
        id,
        { input: effect.input, idempotencyKey: row.effectId, actor: SYSTEM_ACTIVITY },
        { parent },
      );
    } catch (error) {
      if ((error as { code?: string }).code !== 'INSTANCE_EXISTS') throw error;
    }
  });
  queued?.();
  await created;
}
