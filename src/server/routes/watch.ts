import type { Hono } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { InstanceState } from '../../runtime/types.js';
import type { EventRow } from '../../store/types.js';
import { type AppContext, type AppEnv, idParam, machineParam } from '../context.js';
import { toProblem } from '../problem.js';
import { assertCanRead } from '../read-access.js';
import { LastEventId, parseWith } from '../request-schemas.js';

export const WATCH = '/v1/machines/:machine/instances/:id/watch';

/**
 * Server-sent events of every committed transition of one instance: event
 * `transition`, id = seq, data `{ event, state }`. Subscribes before reading
 * history after `Last-Event-ID`, buffers live transitions meanwhile and skips
 * any seq already sent, so nothing is lost or doubled. Ends when the instance
 * is done, the client goes away, the server shuts down, the caller's
 * credential stops being valid (a revoked key, an expired token: checked every
 * `authRecheckMs`), or the client reads so slowly that more than
 * `watchBufferBytes` of transitions wait for it: then the connection is
 * dropped and the client resumes with `Last-Event-ID` (EventSource does so by
 * itself), so a slow watcher costs the server a bounded amount of memory.
 */
export function watchRoute(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;
  app.get(WATCH, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    const header = c.req.header('last-event-id');
    const resumeAfter = header === undefined ? 0 : parseWith(LastEventId, header, 'Last-Event-ID');
    assertCanRead(ctx, c, machine);
    const principal = c.get('principal');

    const live = new LiveQueue(ctx.watchBufferBytes);
    const stop = engine.onTransition((t) => {
      if (t.event.machine === machine && t.event.id === id)
        live.push(t.event.seq, t.state, frame(t.event, t.state));
    });
    let current: InstanceState;
    try {
      current = await engine.get(machine, id);
      assertCanRead(ctx, c, machine, current);
    } catch (error) {
      stop();
      throw error;
    }
    c.header('cache-control', 'no-cache');
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      const end = () => live.close();
      stream.onAbort(end);
      live.onOverflow = () => {
        ctx.logger.warn(
          { machine, id, bufferedBytes: ctx.watchBufferBytes },
          'dropping a watch stream whose client reads too slowly; it resumes with Last-Event-ID',
        );
        stream.abort();
      };
      ctx.shutdown.addEventListener('abort', end, { once: true });
      const heartbeat = setInterval(() => {
        stream.write(': ping\n\n').catch(end);
      }, ctx.heartbeatMs);
      const recheck =
        principal &&
        setInterval(() => {
          principal.revalidate().catch((error: unknown) => {
            void unauthorized(stream, error, c.req.path).finally(() => {
              end();
              stream.abort();
            });
          });
        }, ctx.authRecheckMs);
      try {
        await stream.write(`: watching ${machine}/${id}\nretry: 2000\n\n`);
        let last = resumeAfter;
        for (let after = resumeAfter; ; ) {
          const page = await engine.history(machine, id, { after, limit: 1000 });
          for (const event of page.events) {
            if (live.closed) return;
            await stream.write(frame(event, null));
            last = event.seq;
          }
          if (page.next === null) break;
          after = page.next;
        }
        if (current.status !== 'active' && last >= current.seq) return;
        for (;;) {
          const t = await live.next();
          if (!t || ctx.shutdown.aborted) return;
          if (t.seq <= last) continue;
          await stream.write(t.frame);
          last = t.seq;
          if (t.state.status !== 'active') return;
        }
      } finally {
        clearInterval(heartbeat);
        if (recheck) clearInterval(recheck);
        ctx.shutdown.removeEventListener('abort', end);
        stop();
      }
    });
  });
}

/** One `transition` message, as written on the stream. */
function frame(event: EventRow, state: InstanceState | null): string {
  return `event: transition\nid: ${event.seq}\ndata: ${JSON.stringify({ event, state })}\n\n`;
}

/** Tells the client why the stream ends, if its socket still takes it within a second. */
async function unauthorized(stream: SSEStreamingApi, error: unknown, path: string): Promise<void> {
  const message = `event: unauthorized\ndata: ${JSON.stringify(toProblem(error, path))}\n\n`;
  await Promise.race([stream.write(message), new Promise((resolve) => setTimeout(resolve, 1000))]);
}

interface Queued {
  readonly seq: number;
  readonly state: InstanceState;
  readonly frame: string;
}

/**
 * Transitions waiting for the stream, at most `maxBytes` of them: past that,
 * `onOverflow` is called once and the queue closes. `next()` is undefined once
 * closed.
 */
class LiveQueue {
  readonly #items: Queued[] = [];
  readonly #maxBytes: number;
  #bytes = 0;
  #wake: (() => void) | undefined;
  #closed = false;
  onOverflow: (() => void) | undefined;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get closed(): boolean {
    return this.#closed;
  }

  push(seq: number, state: InstanceState, frame: string): void {
    if (this.#closed) return;
    this.#bytes += frame.length;
    // One transition may wait whatever its size; a backlog past the bound means a slow client.
    if (this.#bytes > this.#maxBytes && this.#items.length > 0) {
      this.close();
      this.onOverflow?.();
      return;
    }
    this.#items.push({ seq, state, frame });
    this.#wake?.();
  }

  close(): void {
    this.#closed = true;
    this.#items.length = 0;
    this.#wake?.();
  }

  async next(): Promise<Queued | undefined> {
    while (!this.#closed) {
      const item = this.#items.shift();
      if (item) {
        this.#bytes -= item.frame.length;
        return item;
      }
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
    return undefined;
  }
}
