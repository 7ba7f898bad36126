import type { JsonSchema } from '../types';

/**
 * A hand-rolled reader of the JSON Schemas Stator publishes for event
 * payloads (zod's output: objects of strings, numbers, integers, booleans,
 * enums and arrays of those). Anything else becomes a JSON field, so every
 * schema still gets a usable form.
 */
export type FieldKind = 'string' | 'number' | 'integer' | 'boolean' | 'enum' | 'list' | 'json';

export interface Field {
  readonly name: string;
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly schema: JsonSchema;
  /** For enums. */
  readonly options?: readonly string[];
  /** Item kind of a list (one item per line). */
  readonly item?: 'string' | 'number' | 'integer';
  /** Constraints in words: `> 0, ≤ 1000000`, `1–50 characters`. */
  readonly hint: string;
}

const typeOf = (s: JsonSchema): string | undefined => {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== 'null');
  return s.type as string | undefined;
};

function kindOf(s: JsonSchema): Pick<Field, 'kind' | 'options' | 'item'> {
  if (s.enum?.every((v) => typeof v === 'string'))
    return { kind: 'enum', options: s.enum as string[] };
  const t = typeOf(s);
  if (t === 'string' || t === 'number' || t === 'integer' || t === 'boolean') return { kind: t };
  if (t === 'array' && s.items) {
    const it = typeOf(s.items);
    if (it === 'string' || it === 'number' || it === 'integer') return { kind: 'list', item: it };
  }
  return { kind: 'json' };
}

function hintOf(s: JsonSchema): string {
  const parts: string[] = [];
  if (s.exclusiveMinimum !== undefined) parts.push(`> ${s.exclusiveMinimum}`);
  if (s.minimum !== undefined) parts.push(`≥ ${s.minimum}`);
  if (s.exclusiveMaximum !== undefined) parts.push(`< ${s.exclusiveMaximum}`);
  if (s.maximum !== undefined) parts.push(`≤ ${s.maximum}`);
  if (s.minLength !== undefined || s.maxLength !== undefined) {
    parts.push(`${s.minLength ?? 0}–${s.maxLength ?? '∞'} characters`);
  }
  if (s.minItems !== undefined || s.maxItems !== undefined) {
    parts.push(`${s.minItems ?? 0}–${s.maxItems ?? '∞'} items, one per line`);
  }
  if (s.pattern) parts.push(`matches ${s.pattern}`);
  if (s.format) parts.push(s.format);
  return parts.join(', ');
}

/** The fields of an object schema; `undefined` when the schema is not an object (use a JSON editor). */
export function fieldsOf(schema: JsonSchema | undefined): Field[] | undefined {
  if (!schema || typeOf(schema) !== 'object') return undefined;
  const required = new Set(schema.required ?? []);
  return Object.entries(schema.properties ?? {}).map(([name, s]) => ({
    name,
    ...kindOf(s),
    required: required.has(name),
    schema: s,
    hint: hintOf(s),
  }));
}

export type RawValues = Readonly<Record<string, string | boolean>>;

/**
 * Turns the form's raw inputs into a payload, checking what the schema says
 * so mistakes show beside their field before the server is asked. Empty
 * optional fields are left out.
 */
export function toPayload(
  fields: readonly Field[],
  raw: RawValues,
): { ok: true; value: Record<string, unknown> } | { ok: false; errors: Record<string, string> } {
  const value: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const input = raw[f.name];
    if (f.kind === 'boolean') {
      if (input === true || f.required) value[f.name] = input === true;
      continue;
    }
    const text = typeof input === 'string' ? input : '';
    if (text.trim() === '') {
      if (f.required) errors[f.name] = 'required';
      continue;
    }
    const parsed = parseField(f, text);
    if ('error' in parsed) errors[f.name] = parsed.error;
    else value[f.name] = parsed.value;
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, value };
}

function parseField(f: Field, text: string): { value: unknown } | { error: string } {
  const s = f.schema;
  switch (f.kind) {
    case 'number':
    case 'integer':
      return checkNumber(text.trim(), f.kind, s);
    case 'string':
    case 'enum':
      return checkString(text, s);
    case 'list': {
      const lines = text
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean);
      if (s.minItems !== undefined && lines.length < s.minItems)
        return { error: `at least ${s.minItems} items` };
      if (s.maxItems !== undefined && lines.length > s.maxItems)
        return { error: `at most ${s.maxItems} items` };
      const items: unknown[] = [];
      for (const line of lines) {
        const item =
          f.item === 'string'
            ? checkString(line, s.items ?? {})
            : checkNumber(line, f.item ?? 'number', s.items ?? {});
        if ('error' in item) return { error: `"${line}": ${item.error}` };
        items.push(item.value);
      }
      return { value: items };
    }
    default:
      try {
        return { value: JSON.parse(text) as unknown };
      } catch {
        return { error: 'not valid JSON' };
      }
  }
}

function checkNumber(
  text: string,
  kind: 'number' | 'integer',
  s: JsonSchema,
): { value: number } | { error: string } {
  const n = Number(text);
  if (!Number.isFinite(n)) return { error: 'a number' };
  if (kind === 'integer' && !Number.isInteger(n)) return { error: 'a whole number' };
  if (s.exclusiveMinimum !== undefined && !(n > s.exclusiveMinimum))
    return { error: `more than ${s.exclusiveMinimum}` };
  if (s.minimum !== undefined && n < s.minimum) return { error: `at least ${s.minimum}` };
  if (s.exclusiveMaximum !== undefined && !(n < s.exclusiveMaximum))
    return { error: `less than ${s.exclusiveMaximum}` };
  if (s.maximum !== undefined && n > s.maximum) return { error: `at most ${s.maximum}` };
  return { value: n };
}

function checkString(text: string, s: JsonSchema): { value: string } | { error: string } {
  if (s.minLength !== undefined && text.length < s.minLength)
    return { error: `at least ${s.minLength} characters` };
  if (s.maxLength !== undefined && text.length > s.maxLength)
    return { error: `at most ${s.maxLength} characters` };
  if (s.enum && !s.enum.includes(text)) return { error: `one of ${s.enum.join(', ')}` };
  if (s.pattern) {
    try {
      if (!new RegExp(s.pattern, 'u').test(text)) return { error: `must match ${s.pattern}` };
    } catch {
      // a pattern JavaScript cannot read: leave it to the server
    }
  }
  return { value: text };
}
