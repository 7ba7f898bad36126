import type { Context, Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { errors } from '../../core/errors.js';
import type { EmitRecord } from '../../store/types.js';
import { readJsonBody } from '../body.js';
import type { AppContext, AppEnv } from '../context.js';
import { readFilter } from '../operate-access.js';
import { CursorBody, EmitStreamQuery, EmitsQuery, SubscriberName } from '../operator-schemas.js';
import { toProblem } from '../problem.js';
import { LastEventId, parseWith, queryObject } from '../request-schemas.js';

export const EMITS = '/v1/emits';
export const EMIT_STREAM = '/v1/emits/stream';
export const EMIT_CURSOR = '/v1/emits/cursors/:name';

/** How often an idle stream looks for emits other processes committed (this one's wake it at once). */
const POLL_MS = 1000;
/** Emits read per page while a stream catches up. */
const STREAM_PAGE = 500;

/**
 * The store-wide emit log over HTTP, so services outside the process consume
 * `emit(...)`ed events at least once, in commit order: a paged read, a
 * resumable SSE stream (event `emit`, id = position; resume with
 * Last-Event-ID, `after`, or a named subscriber's durable cursor) and the
 * cursors themselves. Only emits of instances the caller may read are shown;
 * positions move past the others.
 */
export function emitRoutes(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;

  app.get(EMITS, async (c) => {
    const query = parseWith(EmitsQuery, queryObject(new URL(c.req.url)), 'The query');
    const page = await engine.emits({
      ...(query.after !== undefined && { after: query.after }),
      ...(query.limit !== undefined && { limit: query.limit }),
    });
    const emits = await visible(ctx, c, page.emits);
    const last = page.emits.at(-1)?.position ?? query.after ?? 0;
    return c.json({ emits, next: page.next, last });
  });

  app.get(EMIT_CURSOR, async (c) => {
    const name = parseWith(SubscriberName, c.req.param('name'), 'The subscriber name');
    return c.json({ subscriber: name, position: await engine.emitCursor(name) });
  });

  app.post(EMIT_CURSOR, async (c) => {
    const name = parseWith(SubscriberName, c.req.param('name'), 'The subscriber name');
    const body = parseWith(CursorBody, await readJsonBody(c, ctx.bodyLimit), 'The cursor');
    await engine.setEmitCursor(name, body.position);
    return c.json({ subscriber: name, position: body.position });
  });

  app.get(EMIT_STREAM, async (c) => {
    const query = parseWith(EmitStreamQuery, queryObject(new URL(c.req.url)), 'The query');
    const header = c.req.header('last-event-id');
    const subscriber = query.subscriber;
    const auto = query.ack === 'auto';
    if (auto && subscriber === undefined) {
      throw errors.validation('ack=auto moves a subscriber’s cursor: name it with subscriber=.', {
        field: 'ack',
      });
    }
    let position =
      query.after ??
      (header !== undefined ? parseWith(LastEventId, header, 'Last-Event-ID') : undefined) ??
      (subscriber !== undefined ? await engine.emitCursor(subscriber) : 0);
    const principal = c.get('principal');
    const signal = new Signal();
    const unobserve = engine.inspect(
      (event) => {
        if (event.type === 'transition.committed' && event.write.emits?.length) signal.fire();
      },
      ['transition.committed'],
    );
    c.header('cache-control', 'no-cache');
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      let ended = false;
      const end = () => {
        ended = true;
        signal.fire();
      };
      stream.onAbort(end);
      ctx.shutdown.addEventListener('abort', end, { once: true });
      const heartbeat = setInterval(() => {
        stream.write(': ping\n\n').catch(end);
      }, ctx.heartbeatMs);
      const recheck =
        principal &&
        setInterval(() => {
          principal.revalidate().catch((error: unknown) => {
            const message = `event: unauthorized\ndata: ${JSON.stringify(toProblem(error, c.req.path))}\n\n`;
            void stream
              .write(message)
              .catch(() => {})
              .finally(() => {
                end();
                stream.abort();
              });
          });
        }, ctx.authRecheckMs);
      try {
        await stream.write(`: emits after ${position}\nretry: 2000\n\n`);
        while (!ended && !ctx.shutdown.aborted) {
          const page = await engine.emits({ after: position, limit: STREAM_PAGE });
          const shown = new Set(await visible(ctx, c, page.emits));
          for (const emit of page.emits) {
            if (ended) return;
            if (shown.has(emit)) await stream.write(frame(emit));
            position = emit.position;
          }
          if (auto && subscriber !== undefined && page.emits.length > 0) {
            await engine.setEmitCursor(subscriber, position);
          }
          if (page.next === null) await signal.wait(POLL_MS);
        }
      } finally {
        clearInterval(heartbeat);
        if (recheck) clearInterval(recheck);
        ctx.shutdown.removeEventListener('abort', end);
        unobserve();
      }
    });
  });
}

/** The emits of instances the caller may read, in order. */
async function visible(
  ctx: AppContext,
  c: Context<AppEnv>,
  emits: readonly EmitRecord[],
): Promise<EmitRecord[]> {
  if (!ctx.policies) return [...emits];
  const may = readFilter(ctx, c);
  const out: EmitRecord[] = [];
  for (const emit of emits) if (await may(emit.machine, emit.id)) out.push(emit);
  return out;
}

function frame(emit: EmitRecord): string {
  return `event: emit\nid: ${emit.position}\ndata: ${JSON.stringify(emit)}\n\n`;
}

/** Wakes one waiter: at once when fired (also when fired before it waited), else after a timeout. */
class Signal {
  #fired = false;
  #wake: (() => void) | undefined;

  fire(): void {
    this.#fired = true;
    this.#wake?.();
  }

  async wait(ms: number): Promise<void> {
    if (!this.#fired) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    this.#fired = false;
  }
}
