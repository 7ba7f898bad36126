import type { EventObject } from 'xstate';
import { errors } from '../core/errors.js';
import type { StandardSchema } from './types.js';

/**
 * Validates a value with a Standard Schema. Returns the schema's output (zod
 * defaults and transforms applied); throws VALIDATION_FAILED listing the issues.
 */
export async function validateWith(
  schema: StandardSchema,
  value: unknown,
  what: string,
): Promise<unknown> {
  const result = await schema['~standard'].validate(value);
  if (!result.issues) return result.value;
  const issues = result.issues.map((issue) => ({
    message: issue.message,
    path: (issue.path ?? []).map((p) =>
      typeof p === 'object' && p !== null ? String(p.key) : String(p),
    ),
  }));
  const summary = issues
    .map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
  throw errors.validation(`${what} is invalid: ${summary}`, { issues });
}

/** The event with its payload validated by the machine's schema for its type, if one is declared. */
export async function validateEvent(
  schemas: Readonly<Record<string, StandardSchema>> | undefined,
  event: EventObject,
): Promise<EventObject> {
  const schema = schemas?.[event.type];
  if (!schema) return event;
  const { type, ...payload } = event;
  const value = await validateWith(schema, payload, `Event "${type}"`);
  return { ...(value as Record<string, unknown>), type };
}
