/** What the runners record after each step, and how two records are compared. */
import type { StateValue } from 'xstate';

export interface Observation {
  /** `initial`, `created` (before timers ran), `event <name>`. */
  readonly label: string;
  readonly value: unknown;
  readonly context: unknown;
  readonly status: string;
  /** Ids of the running children (invoked machines), sorted. */
  readonly children: readonly string[];
  /** What the engine said during the step: rejections, dropped sends, dead letters. */
  readonly notes: readonly string[];
}

/** The atomic (basic) state ids of a state value, sorted: SCXML's basic configuration. */
export function atomicStates(value: unknown): string[] {
  const out: string[] = [];
  const visit = (v: StateValue, key: string | undefined) => {
    if (typeof v === 'string') out.push(v);
    else if (Object.keys(v).length === 0 && key !== undefined) out.push(key);
    else for (const [k, child] of Object.entries(v)) visit(child as StateValue, k);
  };
  if (value !== null && value !== undefined) visit(value as StateValue, undefined);
  return out.sort();
}

/**
 * A stable text form for comparison: keys sorted, `undefined` members left out
 * (as JSON does: not a difference a reader of the state can see), but values
 * JSON would change (Date, NaN, Map, functions) kept distinct.
 */
export function canonical(value: unknown): string {
  const seen = new Set<unknown>();
  const walk = (v: unknown): unknown => {
    if (v === undefined) return { $undefined: true };
    if (typeof v === 'number' && !Number.isFinite(v)) return { $number: String(v) };
    if (typeof v === 'function') return { $function: v.name };
    if (typeof v === 'bigint') return { $bigint: String(v) };
    if (typeof v !== 'object' || v === null) return v;
    if (v instanceof Date) return { $date: v.toISOString() };
    if (seen.has(v)) return { $circular: true };
    seen.add(v);
    try {
      if (Array.isArray(v)) return v.map(walk);
      const proto = Object.getPrototypeOf(v);
      const entries = Object.entries(v)
        .filter(([, x]) => x !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [k, walk(x)]);
      const plain = Object.fromEntries(entries);
      return proto === Object.prototype || proto === null
        ? plain
        : { $class: proto?.constructor?.name ?? 'unknown', ...plain };
    } finally {
      seen.delete(v);
    }
  };
  return JSON.stringify(walk(value));
}

/** The first difference between two observations of the same step, if any. */
export function difference(xstate: Observation, stator: Observation): string | undefined {
  const parts: [string, unknown, unknown][] = [
    ['status', xstate.status, stator.status],
    ['value', xstate.value, stator.value],
    ['context', xstate.context, stator.context],
    ['children', xstate.children, stator.children],
  ];
  for (const [what, x, s] of parts) {
    const a = canonical(x);
    const b = canonical(s);
    if (a !== b) return `${what}: XState ${clip(a)}, Stator ${clip(b)}`;
  }
  return undefined;
}

function clip(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
