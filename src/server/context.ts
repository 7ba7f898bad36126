import type { Context } from 'hono';
import type { Actor } from '../core/types.js';
import type { Logger } from '../host/logger.js';
import type { CommandOptions, Engine } from '../runtime/types.js';
import { IdempotencyKey, InstanceId, MachineName, parseWith } from './request-schemas.js';
import type { Policies, Principal } from './types.js';

/** Hono environment of the app: the authenticated principal, when there is one. */
export interface AppEnv {
  Variables: { principal: Principal | undefined };
}

/** What every route handler needs. */
export interface AppContext {
  readonly engine: Engine;
  /** Policies are enforced only when authentication is configured. */
  readonly policies: Policies | undefined;
  readonly bodyLimit: number;
  readonly heartbeatMs: number;
  /** Most bytes of event payload in one page of history. */
  readonly historyPageBytes: number;
  /** Most bytes of transitions a watch stream may have waiting for a slow client. */
  readonly watchBufferBytes: number;
  /** How often a watch stream checks that its caller's credential is still valid. */
  readonly authRecheckMs: number;
  /** Aborted when the server starts shutting down: watch streams end, new requests get 503. */
  readonly shutdown: AbortSignal;
  readonly logger: Logger;
}

export const actorOf = (c: Context<AppEnv>): Actor | null => c.get('principal')?.actor ?? null;

/** The `:machine` path parameter, validated. */
export const machineParam = (c: Context<AppEnv>): string =>
  parseWith(MachineName, c.req.param('machine'), 'The machine name');

/** The `:id` path parameter, validated. */
export const idParam = (c: Context<AppEnv>): string =>
  parseWith(InstanceId, c.req.param('id'), 'The instance id');

const TRACEPARENT = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/** Engine options of a command: actor, Idempotency-Key and W3C trace context headers. */
export function commandOptions(c: Context<AppEnv>): CommandOptions {
  const key = c.req.header('idempotency-key');
  const actor = actorOf(c);
  const traceparent = c.req.header('traceparent');
  const tracestate = c.req.header('tracestate');
  const traced = traceparent !== undefined && TRACEPARENT.test(traceparent);
  return {
    ...(key !== undefined && {
      idempotencyKey: parseWith(IdempotencyKey, key, 'The Idempotency-Key header'),
    }),
    ...(actor && { actor }),
    ...(traced && {
      traceContext: {
        traceparent,
        ...(tracestate !== undefined && tracestate.length <= 512 && { tracestate }),
      },
    }),
  };
}
