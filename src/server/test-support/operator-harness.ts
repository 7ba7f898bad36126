import type { Hono } from 'hono';
import { onTestFinished } from 'vitest';
import { orderMachine } from '../../../examples/order.js';
import { mailer, payment } from '../../runtime/operator/test-support/machines.js';
import {
  createTestEngine,
  type TestEngine,
  type TestEngineOptions,
} from '../../testing/test-engine.js';
import { createApp } from '../app.js';
import { issueApiKey } from '../auth/api-keys.js';
import type { AppEnv } from '../context.js';
import { authorizer } from '../policies.js';
import type { Policies } from '../types.js';

/** Viewers read; ops also operate; customers send events. */
export const OPERATOR_POLICIES: Policies = {
  '*': {
    create: { roles: ['customer', 'ops'] },
    events: { '*': { roles: ['customer'] } },
    read: { roles: ['viewer', 'ops', 'customer'] },
    operate: { roles: ['ops'] },
  },
};

export interface OperatorHarness {
  readonly t: TestEngine;
  readonly app: Hono<AppEnv>;
  /** A request; with `as`, authenticated by a key with those roles. */
  call(method: string, path: string, body?: unknown, as?: readonly string[]): Promise<Response>;
}

/**
 * The order, payment (a retried activity) and mailer (a failing action)
 * machines on a test engine (simulated clock, manual dispatch), served
 * in-process; `auth` turns on API keys and OPERATOR_POLICIES.
 */
export async function operatorHarness(
  options: {
    readonly auth?: boolean;
    readonly policies?: Policies;
  } & Partial<TestEngineOptions> = {},
): Promise<OperatorHarness> {
  const { auth = false, policies = OPERATOR_POLICIES, ...engineOptions } = options;
  const t = await createTestEngine({
    machines: [orderMachine, payment, mailer],
    fakes: { charge: { failOn: [1] } },
    activities: { charge: { maxAttempts: 3, initialDelayMs: 600_000 } },
    actions: { maxAttempts: 1 },
    log: () => {},
    ...(auth && { authorize: authorizer(policies) }),
    ...engineOptions,
  });
  onTestFinished(() => t.close());
  const app = createApp({
    engine: t.engine,
    inspector: false,
    ...(auth && { auth: { apiKeys: t.store }, policies }),
  });
  const keys = new Map<string, string>();
  const call = async (method: string, path: string, body?: unknown, as?: readonly string[]) => {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (as) {
      const name = as.join('+') || 'nobody';
      let token = keys.get(name);
      if (!token) {
        const issued = issueApiKey({ name, subject: `who-${name}`, roles: [...as], now: 1 });
        await t.store.putApiKey(issued.row);
        token = issued.token;
        keys.set(name, token);
      }
      headers.authorization = `Bearer ${token}`;
    }
    return app.request(path, {
      method,
      headers,
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  };
  return { t, app, call };
}
