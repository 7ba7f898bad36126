import type { Context } from 'hono';
import { StatorError } from '../core/errors.js';
import type { InstanceState } from '../runtime/types.js';
import { type AppContext, type AppEnv, actorOf } from './context.js';
import { readDecision } from './policies.js';

/**
 * Enforces the machine's read policy (when policies are enforced): roles
 * always, the guard when `state` is given. FORBIDDEN otherwise.
 */
export function assertCanRead(
  ctx: AppContext,
  c: Context<AppEnv>,
  machine: string,
  state?: InstanceState,
): void {
  const decision = canRead(ctx, c, machine, state);
  if (decision === true) return;
  const what = state ? `${machine}/${state.id}` : `instances of ${machine}`;
  throw new StatorError('FORBIDDEN', `Not allowed to read ${what}: ${decision}`, {
    machine,
    ...(state && { id: state.id }),
    reason: decision,
  });
}

export function canRead(
  ctx: AppContext,
  c: Context<AppEnv>,
  machine: string,
  state?: InstanceState,
): true | string {
  if (!ctx.policies) return true;
  return readDecision(ctx.policies, machine, actorOf(c), state);
}
