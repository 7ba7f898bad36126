import type { Actor } from '../../core/types.js';
import type { RuntimeContext } from '../context.js';
import type { Mailboxes } from '../mailbox.js';
import type { ActivityPolicy, RetryPolicy } from './types.js';

/** What the timer scheduler, the outbox dispatcher and subscriptions share. */
export interface EffectsContext {
  readonly runtime: RuntimeContext;
  readonly mailboxes: Mailboxes;
  /** This process's lease owner id. */
  readonly owner: string;
  readonly leaseMs: number;
  readonly timerLeaseMs: number;
  readonly random: () => number;
  /** Reports what no caller hears (a failed poll, a lost lease) as an inspection `log` event. */
  readonly log: (message: string, error?: unknown) => void;
  readonly timerRetry: RetryPolicy;
  readonly actionRetry: RetryPolicy;
  readonly activities: Readonly<Record<string, ActivityPolicy>>;
}

export const SYSTEM_TIMER: Actor = { id: 'system:timer' };
export const SYSTEM_ACTIVITY: Actor = { id: 'system:activity' };
