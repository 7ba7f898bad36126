import type { Hono } from 'hono';
import { onTestFinished } from 'vitest';
import * as example from '../../../examples/module.js';
import type { Clock } from '../../core/types.js';
import { normalizeModule } from '../../host/module.js';
import { memoryStore } from '../../memory.js';
import { createEngine } from '../../runtime/engine.js';
import type { Engine } from '../../runtime/types.js';
import type { Store } from '../../store/types.js';
import { type AppOptions, createApp } from '../app.js';
import type { AuthOptions } from '../auth/authenticate.js';
import type { AppEnv } from '../context.js';
import { authorizer } from '../policies.js';

export interface Harness {
  readonly app: Hono<AppEnv>;
  readonly engine: Engine;
  readonly store: Store;
  readonly shutdown: AbortController;
  /** A request with a JSON body (a string body is sent as it is). */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<Response>;
}

export interface HarnessOptions extends Partial<Omit<AppOptions, 'auth'>> {
  /** Authentication, given the store (for API keys). */
  readonly auth?: (store: Store) => AuthOptions;
  readonly store?: Store;
  readonly clock?: Clock;
  /** A machine module to serve instead of the example one (`examples/module.ts`). */
  readonly module?: { readonly exports: unknown; readonly source: string };
}

/** The example module (`examples/module.ts`) served in-process over a memory store. */
export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const store = options.store ?? memoryStore();
  const mod = options.module
    ? normalizeModule(options.module.exports, options.module.source)
    : normalizeModule(example, 'examples/module.ts');
  const auth = options.auth?.(store);
  const engine = await createEngine({
    store,
    machines: mod.registrations,
    ...(mod.migrations && { migrations: mod.migrations }),
    ...(mod.rollout && { rollout: mod.rollout }),
    ...(mod.shadow && { shadow: mod.shadow }),
    ...(options.clock && { clock: options.clock }),
    ...(auth && { authorize: authorizer(mod.policies) }),
  });
  onTestFinished(() => engine.close());
  const shutdown = new AbortController();
  const { auth: _auth, store: _store, clock: _clock, module: _module, ...appOptions } = options;
  const app = createApp({
    policies: mod.policies,
    ...appOptions,
    engine,
    shutdown: shutdown.signal,
    ...(auth && { auth }),
  });
  const call = async (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ) =>
    app.request(path, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return { app, engine, store, shutdown, call };
}

/** Asserts a problem+json answer and returns the document. */
export async function problemOf(response: Response): Promise<Record<string, unknown>> {
  if (!response.headers.get('content-type')?.startsWith('application/problem+json')) {
    throw new Error(
      `expected problem+json, got ${response.status} ${response.headers.get('content-type')}: ${await response.text()}`,
    );
  }
  return (await response.json()) as Record<string, unknown>;
}

/** A clock tests move by hand. */
export function manualClock(start = Date.UTC(2030, 0, 1)): Clock & { advance(ms: number): void } {
  let now = start;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
  };
}

export const ORDERS = '/v1/machines/order/instances';
