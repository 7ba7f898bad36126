import type { EventObject } from 'xstate';
import type { Actor } from '../../core/types.js';
import type { FiredTimer } from '../../store/types.js';
import * as path from '../commit-path.js';
import { instanceKey } from '../instance-cache.js';
import type { Mailboxes } from '../mailbox.js';
import type { CommandResult } from '../types.js';
import type { RetryPolicy } from './retry-policy.js';

/** Retry and delivery rules of one invoked promise actor (keyed by its `setup({ actors })` name). */
export interface ActivityPolicy extends RetryPolicy {
  /**
   * Never run twice: the start is recorded before the activity runs, and after a
   * crash the activity is not re-run; the machine gets its error event saying it
   * may or may not have happened (`error.code` = `ACTIVITY_INTERRUPTED`). No retries.
   */
  readonly atMostOnce?: boolean;
  /** Abort an attempt after this long (its AbortSignal fires) and count it as failed. */
  readonly timeoutMs?: number;
}

/** What the timer scheduler, the outbox dispatcher and subscriptions share. */
export interface EffectsContext {
  readonly runtime: path.RuntimeContext;
  readonly mailboxes: Mailboxes;
  /** This process's lease owner id. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly timerLeaseMs: number;
  readonly random: () => number;
  readonly log: (message: string, error?: unknown) => void;
  readonly timerRetry: RetryPolicy;
  readonly actionRetry: RetryPolicy;
  readonly activities: Readonly<Record<string, ActivityPolicy>>;
}

export const SYSTEM_TIMER: Actor = { id: 'system:timer' };
export const SYSTEM_ACTIVITY: Actor = { id: 'system:activity' };

/** Delivers an engine-internal event to an instance through its mailbox and the commit path. */
export function deliverInternal(
  fx: EffectsContext,
  machine: string,
  id: string,
  event: EventObject,
  options: { actor: Actor; idempotencyKey?: string; firedTimer?: FiredTimer },
): Promise<CommandResult | path.Discarded> {
  const internal = options.firedTimer === undefined ? {} : { firedTimer: options.firedTimer };
  return fx.mailboxes.run(instanceKey(machine, id), () =>
    path.deliver(fx.runtime, machine, id, {
      event,
      options: {
        actor: options.actor,
        ...(options.idempotencyKey !== undefined && { idempotencyKey: options.idempotencyKey }),
      },
      internal,
    }),
  );
}
