import { randomUUID } from 'node:crypto';
import { ids } from '../core/ids.js';
import type { EventEnvelope } from '../core/types.js';
import type { AuditOutcome, AuditRow, FiredTimer, InstanceRow } from '../store/types.js';
import type { RuntimeContext } from './context.js';
import { traceId } from './write.js';

/**
 * Commits the audit row of an event that was not applied (rejected as invalid,
 * unauthorized or failing, or an internal delivery discarded), and announces
 * it. `firedTimer`: a discarded timer's event, whose timer is deleted with it.
 */
export async function reject(
  ctx: RuntimeContext,
  row: Pick<InstanceRow, 'machine' | 'id'> & { readonly value: InstanceRow['value'] | null },
  envelope: EventEnvelope,
  outcome: AuditOutcome,
  reason: string,
  firedTimer?: FiredTimer,
): Promise<void> {
  const audit: AuditRow = {
    machine: row.machine,
    id: row.id,
    transitionId: ids.rejection(row, randomUUID()),
    seq: null,
    actor: envelope.actor,
    eventType: envelope.event.type,
    from: row.value,
    to: null,
    at: envelope.at,
    traceId: traceId(envelope.traceContext),
    outcome,
    reason,
  };
  const result = await ctx.committer.submit({
    kind: 'audit',
    ...(firedTimer !== undefined && { timersCancelled: [firedTimer.timerId], firedTimer }),
    audit,
  });
  const type = outcome === 'discarded' ? 'transition.discarded' : 'transition.rejected';
  if (!result.ok || !ctx.inspector.wants(type)) return;
  ctx.inspector.emit({ type, at: envelope.at, audit });
}
