import type { EventObject } from 'xstate';
import { errors } from '../core/errors.js';
import { nonJsonAt } from './json-data.js';

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@~-]{0,199}$/;
const MAX_EVENT_TYPE = 200;
const MAX_KEY = 200;

/** Instance ids: 1–200 characters, letters, digits and `._:@~-`, not starting with punctuation. */
export function assertInstanceId(id: unknown): asserts id is string {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw errors.validation(
      `Invalid instance id ${JSON.stringify(id)}: use 1–200 characters of letters, digits and ._:@~- starting with a letter or digit.`,
      { field: 'id' },
    );
  }
}

export function assertMachineName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
    throw errors.validation(`Invalid machine name ${JSON.stringify(name)}.`, { field: 'machine' });
  }
}

/**
 * An event from outside: a plain object with a string `type` that is not one of
 * XState's reserved `xstate.*` types, and JSON data only (it is stored).
 */
export function assertExternalEvent(event: unknown): asserts event is EventObject {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw errors.validation('An event must be an object like { type: "Pay", … }.', {
      field: 'event',
    });
  }
  const type = (event as { type?: unknown }).type;
  if (typeof type !== 'string' || type.length === 0 || type.length > MAX_EVENT_TYPE) {
    throw errors.validation(
      `An event needs a "type" string of 1–${MAX_EVENT_TYPE} characters; got ${JSON.stringify(type)}.`,
      { field: 'type' },
    );
  }
  if (type.startsWith('xstate.') || type.startsWith('stator.')) {
    throw errors.validation(
      `Event type "${type}" is reserved for XState and the engine (timers, activity results, migrations): name your event without the "xstate." or "stator." prefix.`,
      { field: 'type' },
    );
  }
  assertJson(event, 'event');
}

export function assertIdempotencyKey(key: unknown): void {
  if (key === undefined) return;
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY) {
    throw errors.validation(`An idempotency key must be a string of 1–${MAX_KEY} characters.`, {
      field: 'idempotencyKey',
    });
  }
}

/** Values that survive JSON unchanged (no functions, bigints, cycles, NaN, `undefined` in arrays or class instances like Date). */
export function assertJson(value: unknown, field: string): void {
  const problem = nonJsonAt(value, field);
  if (problem === undefined) return;
  throw errors.validation(`${problem}; events and inputs must be plain JSON data.`, {
    field: problem.split(' ')[0],
  });
}

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/** The page size of a history, audit or list call: 1–1000, default 100; `after` a non-negative integer. */
export function pageLimit(opts: { readonly limit?: number; readonly after?: number }): number {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw errors.validation(`limit must be an integer from 1 to ${MAX_LIMIT}.`, { field: 'limit' });
  }
  if (opts.after !== undefined && (!Number.isInteger(opts.after) || opts.after < 0)) {
    throw errors.validation('after must be a non-negative integer.', { field: 'after' });
  }
  return limit;
}
