import { randomUUID } from 'node:crypto';
import type { Hono } from 'hono';
import type { ListOptions } from '../../runtime/types.js';
import { readJsonBody } from '../body.js';
import { type AppContext, type AppEnv, commandOptions, idParam, machineParam } from '../context.js';
import { assertCanRead, canRead } from '../read-access.js';
import {
  CreateBody,
  EventBody,
  HistoryQuery,
  ListQuery,
  parseWith,
  queryObject,
} from '../schemas.js';

export const INSTANCES = '/v1/machines/:machine/instances';
export const INSTANCE = `${INSTANCES}/:id`;
export const EVENTS = `${INSTANCE}/events`;
export const HISTORY = `${INSTANCE}/history`;

/** Create, list, get, send and history. */
export function instanceRoutes(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;

  app.post(INSTANCES, async (c) => {
    const machine = machineParam(c);
    const raw = await readJsonBody(c.req.raw, ctx.bodyLimit, true);
    const body = parseWith(CreateBody, raw ?? {}, 'The create request');
    const id = body.id ?? randomUUID();
    const result = await engine.create(machine, id, {
      ...commandOptions(c),
      ...(body.input !== undefined && { input: body.input }),
    });
    const location = `/v1/machines/${encodeURIComponent(machine)}/instances/${encodeURIComponent(id)}`;
    return c.json(result, result.duplicate ? 200 : 201, { location });
  });

  app.get(INSTANCES, async (c) => {
    const machine = machineParam(c);
    const query = parseWith(ListQuery, queryObject(new URL(c.req.url)), 'The query');
    assertCanRead(ctx, c, machine);
    const options: ListOptions = {
      ...(query.state !== undefined && { state: query.state }),
      ...(query.status !== undefined && { status: query.status }),
      ...(query.minTimeInState !== undefined && { minTimeInState: query.minTimeInState }),
      ...(query.limit !== undefined && { limit: query.limit }),
      ...(query.cursor !== undefined && { cursor: query.cursor }),
    };
    const page = await engine.list(machine, options);
    const instances = page.instances.filter((s) => canRead(ctx, c, machine, s) === true);
    return c.json({ instances, next: page.next });
  });

  app.get(INSTANCE, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    assertCanRead(ctx, c, machine);
    const state = await engine.get(machine, id);
    assertCanRead(ctx, c, machine, state);
    return c.json(state);
  });

  app.post(EVENTS, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    const event = parseWith(EventBody, await readJsonBody(c.req.raw, ctx.bodyLimit), 'The event');
    return c.json(await engine.send(machine, id, event, commandOptions(c)));
  });

  app.get(HISTORY, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    const query = parseWith(HistoryQuery, queryObject(new URL(c.req.url)), 'The query');
    assertCanRead(ctx, c, machine);
    assertCanRead(ctx, c, machine, await engine.get(machine, id));
    return c.json(
      await engine.history(machine, id, {
        ...(query.after !== undefined && { after: query.after }),
        ...(query.limit !== undefined && { limit: query.limit }),
      }),
    );
  });
}
