import type { EventObject } from 'xstate';
import type { Actor } from '../../core/types.js';
import type { FiredTimer } from '../../store/types.js';
import * as commitPath from '../commit-path.js';
import { instanceKey } from '../instance-cache.js';
import { traced } from '../trace-hook.js';
import type { CommandResult } from '../types.js';
import type { EffectsContext } from './context.js';

/**
 * Delivers an engine-internal event (a timer's, an activity's result, a
 * child's notice) to an instance: through its mailbox and the commit path.
 */
export function deliver(
  fx: EffectsContext,
  machine: string,
  id: string,
  event: EventObject,
  options: { actor: Actor; idempotencyKey?: string; firedTimer?: FiredTimer },
): Promise<CommandResult | commitPath.Discarded> {
  const internal = options.firedTimer === undefined ? {} : { firedTimer: options.firedTimer };
  const request = {
    machine,
    id,
    eventType: event.type,
    kind: 'internal',
    actor: options.actor,
    incoming: undefined,
  } as const;
  return fx.mailboxes.run(instanceKey(machine, id), () =>
    traced(fx.runtime.tracer, request, (traceContext) =>
      commitPath.deliver(fx.runtime, machine, id, {
        event,
        options: {
          actor: options.actor,
          ...(options.idempotencyKey !== undefined && { idempotencyKey: options.idempotencyKey }),
          ...(traceContext !== undefined && { traceContext }),
        },
        internal,
      }),
    ),
  );
}
