import type { Hono } from 'hono';
import { readJsonBody } from '../body.js';
import { type AppContext, type AppEnv, commandOptions, idParam, machineParam } from '../context.js';
import { assertCanOperate } from '../operate-access.js';
import { AuditQuery, EffectId, StopBody } from '../operator-schemas.js';
import { assertCanRead } from '../read-access.js';
import { parseWith, queryObject } from '../request-schemas.js';
import { INSTANCE } from './instances.js';

export const AUDIT = `${INSTANCE}/audit`;
export const PENDING = `${INSTANCE}/pending`;
export const STOP = `${INSTANCE}/stop`;
export const RETRY_EFFECT = `${INSTANCE}/effects/:effectId/retry`;

/**
 * One instance, as an operator sees it: its audit log (every decision,
 * rejections included), what it waits for (timers, unfinished effects), and
 * the operator's actions on it — stop it, run a waiting effect now — under the
 * machine's `operate` policy rule.
 */
export function operatorRoutes(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;

  app.get(AUDIT, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    const query = parseWith(AuditQuery, queryObject(new URL(c.req.url)), 'The query');
    assertCanRead(ctx, c, machine);
    assertCanRead(ctx, c, machine, await engine.get(machine, id));
    const page = await engine.audit(machine, id, {
      ...(query.after !== undefined && { after: query.after }),
      ...(query.limit !== undefined && { limit: query.limit }),
    });
    return c.json(page);
  });

  app.get(PENDING, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    assertCanRead(ctx, c, machine);
    const state = await engine.get(machine, id);
    assertCanRead(ctx, c, machine, state);
    const { timers, effects } = await engine.pending(machine, id);
    const { status, value, stateEnteredAt } = state;
    return c.json({ machine, id, status, value, stateEnteredAt, timers, effects });
  });

  app.post(STOP, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    const raw = await readJsonBody(c, ctx.bodyLimit, true);
    const body = parseWith(StopBody, raw ?? {}, 'The stop request');
    // Authorized by the engine, as event `xstate.stop` (the `operate` rule; audited when denied).
    const result = await engine.stop(machine, id, {
      ...commandOptions(c),
      ...(body.reason !== undefined && { reason: body.reason }),
    });
    if (result.duplicate) assertCanRead(ctx, c, machine, result);
    return c.json(result);
  });

  app.post(RETRY_EFFECT, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    const effectId = parseWith(EffectId, c.req.param('effectId'), 'The effect id');
    assertCanOperate(ctx, c, machine);
    assertCanOperate(ctx, c, machine, await engine.get(machine, id));
    const effect = await engine.retryEffect(machine, id, effectId);
    return c.json({ effect });
  });
}
