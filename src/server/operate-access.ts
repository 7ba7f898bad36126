import type { Context } from 'hono';
import { StatorError } from '../core/errors.js';
import type { InstanceState } from '../runtime/types.js';
import { type AppContext, type AppEnv, actorOf } from './context.js';
import { operateDecision } from './policies.js';
import { canRead } from './read-access.js';

/**
 * Enforces the machine's `operate` rule (when policies are enforced): roles,
 * and its guard with the instance's state when given. FORBIDDEN otherwise.
 */
export function assertCanOperate(
  ctx: AppContext,
  c: Context<AppEnv>,
  machine: string,
  state?: InstanceState,
): void {
  if (!ctx.policies) return;
  const decision = operateDecision(ctx.policies, machine, actorOf(c), state);
  if (decision === true) return;
  const what = state ? `${machine}/${state.id}` : `instances of ${machine}`;
  throw new StatorError('FORBIDDEN', `Not allowed to operate on ${what}: ${decision}`, {
    machine,
    ...(state && { id: state.id }),
    reason: decision,
  });
}

/**
 * Whether the caller may read each of many instances (dead letters, emits):
 * the machine's read roles, then its guard on the instance, read once per
 * instance (no guard can judge an instance that is gone: the roles decide).
 */
export function readFilter(
  ctx: AppContext,
  c: Context<AppEnv>,
): (machine: string, id: string) => Promise<boolean> {
  const seen = new Map<string, Promise<boolean>>();
  return (machine, id) => {
    if (!ctx.policies) return Promise.resolve(true);
    const key = `${machine}\u0000${id}`;
    let verdict = seen.get(key);
    if (!verdict) {
      verdict = (async () => {
        if (canRead(ctx, c, machine) !== true) return false;
        if (!readGuarded(ctx, machine)) return true;
        const state = await ctx.engine.get(machine, id).catch(() => undefined);
        return state === undefined || canRead(ctx, c, machine, state) === true;
      })();
      seen.set(key, verdict);
    }
    return verdict;
  };
}

/** Whether the machine's read rule has a guard (then each instance must be read to decide). */
function readGuarded(ctx: AppContext, machine: string): boolean {
  const policies = ctx.policies ?? {};
  const policy = Object.hasOwn(policies, machine) ? policies[machine] : policies['*'];
  return policy?.read?.guard !== undefined;
}
