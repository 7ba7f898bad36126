import { z } from 'zod';
import { errors } from '../core/errors.js';

/**
 * Request schemas: the server validates with these and `/openapi.json` is
 * generated from them, so the document cannot drift from what is enforced.
 */

/** Same rule as the engine: 1–200 letters, digits and `._:@~-`, starting with a letter or digit. */
export const InstanceId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@~-]{0,199}$/, {
    error: 'use 1–200 characters of letters, digits and ._:@~- starting with a letter or digit',
  })
  .describe('Instance id');

export const MachineName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^/\p{Cc}]+$/u, { error: 'no control characters or slashes' })
  .describe('Machine name (the XState machine id)');

const count = (what: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,7}$/, { error: `${what} must be an integer` })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const CreateBody = z
  .strictObject({
    id: InstanceId.optional().describe('Instance id; a random UUID when omitted'),
    input: z.unknown().optional().describe("The machine's input (JSON)"),
  })
  .describe('Creates an instance of the newest machine version');

export const EventBody = z
  .looseObject({
    type: z.string().min(1).max(200).describe('Event type; `xstate.*` is reserved'),
  })
  .describe('An event: its type and payload fields side by side');

export const Version = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[^\p{Cc}]+$/u, { error: 'no control characters' })
  .describe('A machine version, as registered (`1`, `2`, `2024-06`)');

const MAX_TIME_IN_STATE = 100 * 365 * 86_400_000;

export const ListQuery = z.strictObject({
  state: z
    .string()
    .min(1)
    .max(500)
    .optional()
    .describe('A state path (`paid`, `paid.packed`): instances in it or its substates'),
  status: z.enum(['active', 'done', 'error', 'stopped']).optional(),
  version: Version.optional().describe('Only instances running this machine version'),
  // Up to 100 years: operators look for instances stuck for hours, days and weeks.
  minTimeInState: z
    .string()
    .regex(/^\d{1,13}$/, { error: 'minTimeInState must be an integer' })
    .transform(Number)
    .pipe(z.number().int().min(0).max(MAX_TIME_IN_STATE))
    .optional()
    .describe('Only instances in their current state for at least this many milliseconds'),
  idPrefix: z
    .string()
    .regex(/^[A-Za-z0-9._:@~-]{1,200}$/, { error: 'use 1–200 characters of an instance id' })
    .optional()
    .describe('Only instances whose id starts with this (uses the id index)'),
  limit: count('limit', 1, 1000).optional().describe('Default 100, at most 1000'),
  cursor: InstanceId.optional().describe('`next` of the previous page'),
});

export const HistoryQuery = z.strictObject({
  after: count('after', 0, 9_999_999).optional().describe('Events with a greater seq'),
  limit: count('limit', 1, 1000).optional().describe('Default 100, at most 1000'),
});

export const IdempotencyKey = z
  .string()
  .regex(/^[\x20-\x7e]{1,200}$/, { error: '1–200 printable ASCII characters' })
  .describe('Repeat a request with the same key to get the recorded result');

export const LastEventId = z
  .string()
  .regex(/^\d{1,15}$/, { error: 'the seq of the last event received' })
  .transform(Number);

/** Validates `value`, or throws VALIDATION_FAILED naming every issue (as `details.issues`). */
export function parseWith<S extends z.ZodType>(
  schema: S,
  value: unknown,
  what: string,
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    message: issue.message,
    path: issue.path.map(String),
  }));
  const summary = issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  throw errors.validation(`${what} is invalid: ${summary}`, { issues });
}

/** Query parameters as an object; a parameter given twice is VALIDATION_FAILED. */
export function queryObject(url: URL): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  for (const [key, value] of url.searchParams) {
    if (Object.hasOwn(out, key)) {
      throw errors.validation(`Query parameter "${key}" was given more than once; give it once.`, {
        field: key,
      });
    }
    out[key] = value;
  }
  return out;
}
