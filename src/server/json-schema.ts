import { z } from 'zod';
import type { StandardSchema } from '../runtime/types.js';

type JsonSchema = Record<string, unknown>;

interface StandardJsonSchema {
  readonly input: (options: { readonly target: string }) => JsonSchema;
}

/**
 * JSON Schema (2020-12) of a Standard Schema's input, for validators that
 * implement Standard JSON Schema (zod ≥ 4.2, valibot, arktype); others get an
 * open schema that says so.
 */
export function standardToJsonSchema(schema: StandardSchema): JsonSchema {
  const converter = (schema['~standard'] as { jsonSchema?: StandardJsonSchema }).jsonSchema;
  try {
    if (converter) return strip(converter.input({ target: 'draft-2020-12' }));
  } catch {
    // unrepresentable types (dates, transforms without input type, …): fall through
  }
  return { description: `Validated by ${schema['~standard'].vendor}; no JSON Schema available.` };
}

/** JSON Schema of one of the server's own zod schemas (the request side). */
export function zodToJsonSchema(schema: z.ZodType): JsonSchema {
  return strip(z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema);
}

function strip(schema: JsonSchema): JsonSchema {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

/**
 * Moves a schema's `$defs` into `components.schemas` under `prefix` and
 * rewrites its `#/$defs/…` references, so it can be embedded in an OpenAPI
 * document (where `#` means the document root).
 */
export function hoistDefs(
  schema: JsonSchema,
  prefix: string,
  components: Record<string, unknown>,
): JsonSchema {
  const { $defs, ...rest } = schema as JsonSchema & { $defs?: Record<string, unknown> };
  if (!$defs) return schema;
  const rename = (name: string) => `${prefix}_${name}`.replace(/[^A-Za-z0-9._-]/g, '_');
  const rewrite = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(rewrite);
    if (typeof value !== 'object' || value === null) return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
          ? `#/components/schemas/${rename(v.slice('#/$defs/'.length))}`
          : rewrite(v);
    }
    return out;
  };
  for (const [name, def] of Object.entries($defs)) components[rename(name)] = rewrite(def);
  return rewrite(rest) as JsonSchema;
}
