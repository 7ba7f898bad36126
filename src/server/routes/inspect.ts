import type { Context, Hono } from 'hono';
import { eventTypes } from '../../analysis/mermaid.js';
import type { AuthorizationDecision, Authorizer, InstanceState } from '../../runtime/types.js';
import { type AppContext, type AppEnv, actorOf, idParam, machineParam } from '../context.js';
import { StateAtQuery } from '../inspector-schemas.js';
import { authorizer, operateDecision } from '../policies.js';
import { assertCanRead, canRead } from '../read-access.js';
import { parseWith, queryObject } from '../request-schemas.js';
import { INSTANCE } from './instances.js';

export const STATE_AT = `${INSTANCE}/state`;
export const PERMISSIONS = `${INSTANCE}/permissions`;
export const WHOAMI = '/v1/whoami';

const INIT = 'xstate.init';
const MIGRATED = 'stator.migrated';

/**
 * Read routes for the inspector: an instance as it was after an event (time
 * travel, rebuilt by replay with nothing run or written), and what the caller
 * may do — per machine by its roles, per instance with the guards — so a UI
 * can show what is not allowed, and why, before anyone clicks.
 */
export function inspectRoutes(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;
  const rules: Authorizer | undefined = ctx.policies ? authorizer(ctx.policies) : undefined;

  app.get(STATE_AT, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    const query = parseWith(StateAtQuery, queryObject(new URL(c.req.url)), 'The query');
    assertCanRead(ctx, c, machine);
    // The same check as the history it is rebuilt from: the instance as it is now.
    assertCanRead(ctx, c, machine, await engine.get(machine, id));
    return c.json(await engine.stateAt(machine, id, query.seq));
  });

  app.get(WHOAMI, (c) => {
    const actor = actorOf(c);
    const admit = (machine: string, eventType: string): AuthorizationDecision =>
      rules?.admit?.({ machine, id: '', eventType, actor }) ?? true;
    return c.json({
      authenticated: c.get('principal') !== undefined,
      enforced: ctx.policies !== undefined,
      actor,
      machines: engine.machines().map(({ name }) => ({
        machine: name,
        read: canRead(ctx, c, name),
        create: admit(name, INIT),
        // Its guard too (without an instance): a machine without a migrate rule says so here.
        migrate:
          rules?.decide?.({
            machine: name,
            id: '',
            event: { type: MIGRATED },
            actor,
            state: undefined,
            duplicate: false,
          }) ?? true,
        // Stop, retry effects, retry and discard dead letters: the `operate` rule.
        operate: ctx.policies ? operateDecision(ctx.policies, name, actor) : true,
        events: Object.fromEntries(
          eventTypes(engine.getMachine(name)).map((type) => [type, admit(name, type)]),
        ),
      })),
    });
  });

  app.get(PERMISSIONS, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    assertCanRead(ctx, c, machine);
    const state = await engine.get(machine, id);
    assertCanRead(ctx, c, machine, state);
    const decide = (type: string) => decision(rules, c, machine, state, type);
    return c.json({
      machine,
      id,
      seq: state.seq,
      migrate: decide(MIGRATED),
      operate: ctx.policies ? operateDecision(ctx.policies, machine, actorOf(c), state) : true,
      events: Object.fromEntries(
        eventTypes(engine.getMachine(machine)).map((type) => [type, decide(type)]),
      ),
    });
  });
}

/** Both steps of the event policy, as the engine would run them for this caller now. */
function decision(
  rules: Authorizer | undefined,
  c: Context<AppEnv>,
  machine: string,
  state: InstanceState,
  type: string,
): AuthorizationDecision {
  if (!rules) return true;
  const actor = actorOf(c);
  const admitted = rules.admit?.({ machine, id: state.id, eventType: type, actor }) ?? true;
  if (admitted !== true) return admitted;
  return (
    rules.decide?.({ machine, id: state.id, event: { type }, actor, state, duplicate: false }) ??
    true
  );
}
