import { createHash, randomUUID } from 'node:crypto';
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
} from '../request-schemas.js';

export const INSTANCES = '/v1/machines/:machine/instances';
export const INSTANCE = `${INSTANCES}/:id`;
export const EVENTS = `${INSTANCE}/events`;
export const HISTORY = `${INSTANCE}/history`;

/**
 * The instance id a create without one gets from its Idempotency-Key: the same
 * for the same machine, caller and key, so repeating the create returns the
 * instance it made.
 */
export function idFromKey(machine: string, actorId: string | null, key: string): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([machine, actorId, key]))
    .digest('hex');
  return `k-${digest.slice(0, 32)}`;
}

/**
 * `{"events":[…],"next":…}` written one event at a time as the client reads
 * it, so a page of large events is never held as one string as well.
 */
function streamedPage(events: readonly unknown[], next: number | null): Response {
  const encoder = new TextEncoder();
  let i = -1;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i === -1) controller.enqueue(encoder.encode('{"events":['));
      else if (i < events.length) {
        controller.enqueue(encoder.encode((i > 0 ? ',' : '') + JSON.stringify(events[i])));
      } else {
        controller.enqueue(encoder.encode(`],"next":${JSON.stringify(next)}}`));
        controller.close();
      }
      i++;
    },
  });
  return new Response(body, { headers: { 'content-type': 'application/json' } });
}

/** Create, list, get, send and history. */
export function instanceRoutes(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;

  app.post(INSTANCES, async (c) => {
    const machine = machineParam(c);
    const raw = await readJsonBody(c, ctx.bodyLimit, true);
    const body = parseWith(CreateBody, raw ?? {}, 'The create request');
    const options = commandOptions(c);
    // Without an id, the Idempotency-Key names the instance: a repeated create finds the first.
    const id =
      body.id ??
      (options.idempotencyKey === undefined
        ? randomUUID()
        : idFromKey(machine, options.actor?.id ?? null, options.idempotencyKey));
    const result = await engine.create(machine, id, {
      ...options,
      ...(body.input !== undefined && { input: body.input }),
    });
    if (result.duplicate) assertCanRead(ctx, c, machine, result);
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
      ...(query.version !== undefined && { version: query.version }),
      ...(query.minTimeInState !== undefined && { minTimeInState: query.minTimeInState }),
      ...(query.idPrefix !== undefined && { idPrefix: query.idPrefix }),
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
    const event = parseWith(EventBody, await readJsonBody(c, ctx.bodyLimit), 'The event');
    const result = await engine.send(machine, id, event, commandOptions(c));
    // A recorded result is shown only to a caller who may read the instance now.
    if (result.duplicate) assertCanRead(ctx, c, machine, result);
    return c.json(result);
  });

  app.get(HISTORY, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    const query = parseWith(HistoryQuery, queryObject(new URL(c.req.url)), 'The query');
    assertCanRead(ctx, c, machine);
    assertCanRead(ctx, c, machine, await engine.get(machine, id));
    const page = await engine.history(machine, id, {
      ...(query.after !== undefined && { after: query.after }),
      ...(query.limit !== undefined && { limit: query.limit }),
      maxBytes: ctx.historyPageBytes,
    });
    return streamedPage(page.events, page.next);
  });
}
