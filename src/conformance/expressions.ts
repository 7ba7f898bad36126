/**
 * The ECMAScript datamodel of a converted SCXML document: expressions are
 * compiled once, at conversion, and evaluated against the machine's context
 * (the datamodel) and the SCXML view of the current event (`_event`).
 *
 * Identifier lookup goes through a Proxy: declared datamodel ids read and
 * write the context, system variables (`_event`, `_name`) are read-only, and
 * any other name that is not a JavaScript global is a ReferenceError — so an
 * `<assign>` to an undeclared location throws (SCXML: error.execution) instead
 * of quietly creating a global that would leak into the next test.
 */
import type { EventObject } from 'xstate';

/** SCXML's `_event`: name and data, mapped from an XState event. */
export interface ScxmlEvent {
  readonly name: string;
  readonly type: 'external';
  readonly data: unknown;
}

export type Values = Record<string, unknown>;

/** What an expression sees: the datamodel, the event and the document's name. */
export interface EvalEnv {
  readonly declared: ReadonlySet<string>;
  readonly name: string | undefined;
}

/** The compiled function's own parameters: never looked up in the datamodel. */
const PARAMS = new Set(['__scope', '__value']);

type Compiled = (scope: object, value?: unknown) => unknown;

function compile(body: string): Compiled {
  try {
    // Sloppy-mode function on purpose: `with` puts the datamodel in scope, as SCXML's ECMAScript profile does.
    return new Function('__scope', '__value', `with (__scope) { ${body} }`) as Compiled;
  } catch (error) {
    // A syntax error in the document is an error when the expression runs (SCXML: error.execution).
    return () => {
      throw error;
    };
  }
}

/** An expression evaluated against `values` (mutations land in `values`). */
export type Expression = (values: Values, event: EventObject | undefined) => unknown;

export function expression(env: EvalEnv, source: string): Expression {
  const fn = compile(`return (${source}\n);`);
  return (values, event) => fn(scope(env, values, event));
}

/** A location assigned a value: `x`, `x.y`, `x[0]`. */
export type Assignment = (values: Values, event: EventObject | undefined, value: unknown) => void;

export function assignment(env: EvalEnv, location: string): Assignment {
  const fn = compile(`${location} = __value;`);
  return (values, event, value) => {
    fn(scope(env, values, event), value);
  };
}

function scope(env: EvalEnv, values: Values, event: EventObject | undefined): object {
  const system: Values = { _event: scxmlEvent(event), _name: env.name };
  return new Proxy(values, {
    has: (_, key) =>
      typeof key === 'string' &&
      !PARAMS.has(key) &&
      (env.declared.has(key) || key in system || !(key in globalThis)),
    get: (_, key) => {
      if (typeof key !== 'string') return undefined; // Symbol.unscopables and friends
      if (key in system) return system[key];
      if (env.declared.has(key)) return values[key];
      throw new ReferenceError(`${key} is not defined`);
    },
    set: (_, key, value) => {
      if (typeof key === 'string' && env.declared.has(key)) {
        values[key] = value;
        return true;
      }
      throw new ReferenceError(`cannot assign to ${String(key)}: not a declared datamodel id`);
    },
  });
}

/** XState's event as SCXML's `_event`: unbound before the first event, as SCXML says. */
export function scxmlEvent(event: EventObject | undefined): ScxmlEvent | undefined {
  if (event === undefined || event.type === 'xstate.init') return undefined;
  const e = event as EventObject & { data?: unknown; output?: unknown; error?: unknown };
  const data = 'data' in e ? e.data : 'output' in e ? e.output : e.error;
  return { name: scxmlEventName(event.type), type: 'external', data };
}

/** XState's names for platform events, back in SCXML's terms. */
export function scxmlEventName(type: string): string {
  if (type.startsWith('xstate.done.actor.')) return `done.invoke.${type.slice(18)}`;
  if (type.startsWith('xstate.done.state.')) return `done.state.${type.slice(18)}`;
  return type;
}

/** A copy of the datamodel an expression may mutate without touching the snapshot's context. */
export function copyValues(context: unknown): Values {
  const source = (context ?? {}) as Values;
  try {
    return structuredClone(source);
  } catch {
    return { ...source };
  }
}

/** An SCXML delay (`"1s"`, `"500ms"`, `"1.5s"`) in milliseconds. */
export function delayMs(delay: unknown): number {
  const text = String(delay).trim();
  const match = /^(\d*\.?\d+)(ms|s|m|h|d)?$/.exec(text);
  if (!match)
    throw new Error(`Cannot read delay "${text}" (expected a CSS2 time like 1s or 500ms).`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  return Math.round(Number(match[1]) * unit);
}
