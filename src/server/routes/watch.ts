import type { Hono } from 'hono';
import { type SSEStreamingApi, streamSSE } from 'hono/streaming';
import type { CommittedTransition, InstanceState } from '../../runtime/types.js';
import type { EventRow } from '../../store/types.js';
import { type AppContext, type AppEnv, idParam, machineParam } from '../context.js';
import { assertCanRead } from '../read-access.js';
import { LastEventId, parseWith } from '../schemas.js';

export const WATCH = '/v1/machines/:machine/instances/:id/watch';

/**
 * Server-sent events of every committed transition of one instance: event
 * `transition`, id = seq, data `{ event, state }`. Subscribes before reading
 * history after `Last-Event-ID`, buffers live transitions meanwhile and skips
 * any seq already sent, so nothing is lost or doubled. Ends when the instance
 * is done, the client goes away, or the server shuts down.
 */
export function watchRoute(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;
  app.get(WATCH, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    const header = c.req.header('last-event-id');
    const resumeAfter = header === undefined ? 0 : parseWith(LastEventId, header, 'Last-Event-ID');
    assertCanRead(ctx, c, machine);

    const live = new LiveQueue();
    const stop = engine.onTransition((t) => {
      if (t.event.machine === machine && t.event.id === id) live.push(t);
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
      ctx.shutdown.addEventListener('abort', end, { once: true });
      const heartbeat = setInterval(() => {
        stream.write(': ping\n\n').catch(end);
      }, ctx.heartbeatMs);
      try {
        await stream.write(`: watching ${machine}/${id}\nretry: 2000\n\n`);
        let last = resumeAfter;
        const send = async (event: EventRow, state: InstanceState | null) => {
          await writeTransition(stream, event, state);
          last = event.seq;
        };
        for (let after = resumeAfter; ; ) {
          const page = await engine.history(machine, id, { after, limit: 1000 });
          for (const event of page.events) await send(event, null);
          if (page.next === null) break;
          after = page.next;
        }
        if (current.status !== 'active' && last >= current.seq) return;
        for (;;) {
          const t = await live.next();
          if (!t || ctx.shutdown.aborted) return;
          if (t.event.seq <= last) continue;
          await send(t.event, t.state);
          if (t.state.status !== 'active') return;
        }
      } finally {
        clearInterval(heartbeat);
        ctx.shutdown.removeEventListener('abort', end);
        stop();
      }
    });
  });
}

function writeTransition(
  stream: SSEStreamingApi,
  event: EventRow,
  state: InstanceState | null,
): Promise<void> {
  return stream.writeSSE({
    event: 'transition',
    id: String(event.seq),
    data: JSON.stringify({ event, state }),
  });
}

/** Transitions buffered until the stream takes them; `next()` is undefined once closed. */
class LiveQueue {
  readonly #items: CommittedTransition[] = [];
  #wake: (() => void) | undefined;
  #closed = false;

  push(t: CommittedTransition): void {
    if (this.#closed) return;
    this.#items.push(t);
    this.#wake?.();
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  async next(): Promise<CommittedTransition | undefined> {
    while (!this.#closed) {
      const item = this.#items.shift();
      if (item) return item;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
      });
      this.#wake = undefined;
    }
    return undefined;
  }
}
