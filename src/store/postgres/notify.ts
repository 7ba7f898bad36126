import type pg from 'pg';
import type { WakeTopic } from '../types.js';

const TOPICS: readonly WakeTopic[] = ['timers', 'outbox', 'emits'];
const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5000;

/**
 * LISTEN on the schema's wake channel over one dedicated connection, and tell
 * the listeners which topic another process committed (notifications carrying
 * this process's own token are ignored: it knows about its own commits).
 *
 * The connection is its own, outside the pool (a pool of one would otherwise
 * hand its only connection to LISTEN): opened when the first listener is added
 * and kept until `close()`. When it breaks it is replaced, with backoff; after a
 * reconnect every topic is signalled once, for what may have been missed.
 */
export class WakeListener {
  readonly #connect: () => Promise<pg.Client>;
  readonly #channel: string;
  readonly #token: string;
  readonly #listeners = new Set<(topic: WakeTopic) => void>();
  #client: pg.Client | undefined;
  #starting: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #backoff = MIN_BACKOFF_MS;
  #closed = false;

  constructor(connect: () => Promise<pg.Client>, channel: string, token: string) {
    this.#connect = connect;
    this.#channel = channel;
    this.#token = token;
  }

  add(listener: (topic: WakeTopic) => void): () => void {
    this.#listeners.add(listener);
    if (this.#client === undefined && this.#starting === undefined && this.#retry === undefined) {
      this.#starting = this.#start(false);
    }
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /** Resolves once the LISTEN is in place (or failed and a retry is scheduled). */
  ready(): Promise<void> {
    return this.#starting ?? Promise.resolve();
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    await this.#starting;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #start(reconnected: boolean): Promise<void> {
    let client: pg.Client | undefined;
    try {
      client = await this.#connect();
      client.on('notification', (message) => this.#deliver(message));
      client.on('error', () => this.#lost(client));
      client.on('end', () => this.#lost(client));
      await client.query(`LISTEN "${this.#channel}"`);
      if (this.#closed) {
        void client.end().catch(() => {});
        return;
      }
      this.#client = client;
      this.#backoff = MIN_BACKOFF_MS;
      if (reconnected) for (const topic of TOPICS) this.#emit(topic);
    } catch {
      void client?.end().catch(() => {});
      this.#scheduleRetry();
    } finally {
      this.#starting = undefined;
    }
  }

  #lost(client: pg.Client | undefined): void {
    if (client === undefined || this.#client !== client) return;
    this.#client = undefined;
    void client.end().catch(() => {});
    this.#scheduleRetry();
  }

  #scheduleRetry(): void {
    if (this.#closed || this.#retry !== undefined) return;
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (!this.#closed) this.#starting = this.#start(true);
    }, delay);
    this.#retry.unref();
  }

  #deliver(message: pg.Notification): void {
    if (message.channel !== this.#channel || message.payload === undefined) return;
    const [topic, token] = message.payload.split(' ');
    if (token === this.#token || !TOPICS.includes(topic as WakeTopic)) return;
    this.#emit(topic as WakeTopic);
  }

  #emit(topic: WakeTopic): void {
    for (const listener of this.#listeners) {
      try {
        listener(topic);
      } catch {
        // A listener's failure is its own; the others still hear the wake.
      }
    }
  }
}
