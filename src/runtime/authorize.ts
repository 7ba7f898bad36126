import { errors } from '../core/errors.js';
import type { EventEnvelope } from '../core/types.js';
import type { InstanceRow } from '../store/types.js';
import type { RuntimeContext } from './context.js';
import { reject } from './rejections.js';
import { toState } from './write.js';

/** Authorization's first step: before anything about the instance is read. */
export async function admitOrDeny(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  envelope: EventEnvelope,
): Promise<void> {
  const reason = ctx.gate?.admit({
    machine,
    id,
    eventType: envelope.event.type,
    actor: envelope.actor,
  });
  if (reason !== undefined) await deny(ctx, { machine, id, value: null }, envelope, reason);
}

/** Authorization's second step: with the instance's current state (none for creates). */
export async function decideOrDeny(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  envelope: EventEnvelope,
  row: InstanceRow | undefined,
  duplicate: boolean,
): Promise<void> {
  const reason = ctx.gate?.decide({
    machine,
    id,
    event: envelope.event,
    actor: envelope.actor,
    state: row && toState(row),
    duplicate,
  });
  if (reason !== undefined) await deny(ctx, row ?? { machine, id, value: null }, envelope, reason);
}

/**
 * Throws FORBIDDEN for a denied request, after auditing it as `rejected_auth`
 * (unless the actor's denials are being left out: DenialLimiter).
 */
async function deny(
  ctx: RuntimeContext,
  row: Pick<InstanceRow, 'machine' | 'id'> & { readonly value: InstanceRow['value'] | null },
  envelope: EventEnvelope,
  reason: string,
): Promise<never> {
  const note = ctx.denials.take(envelope.actor?.id ?? '', envelope.at);
  if (note !== undefined) await reject(ctx, row, envelope, 'rejected_auth', reason + note);
  throw errors.forbidden(row.machine, row.id, envelope.event.type, reason);
}
