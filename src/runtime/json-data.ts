/**
 * Where a value stops being plain JSON data: what Stator stores (contexts,
 * events, inputs) must come back from the store as it went in, or the stored
 * state and a replay disagree after a restart.
 */

import type { Effect } from '../core/types.js';

/**
 * The first place where `value` is not JSON data, described for a message
 * (`context.n is NaN`), or undefined when all of it is. Object properties that
 * are `undefined` are allowed (JSON drops them, and reading them gives
 * `undefined` either way); `undefined` in an array is not (it comes back as
 * `null`). Parts identical (`===`) to the same place in `checked` — a value that
 * passed before, such as the previous context — are skipped, so checking a
 * context after an `assign` costs only what the assign changed.
 */
export function nonJsonAt(value: unknown, path: string, checked?: unknown): string | undefined {
  const seen = new Set<object>();
  const visit = (v: unknown, at: string, before: unknown): string | undefined => {
    if (v === before && before !== undefined) return undefined;
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
    if (typeof v === 'number') {
      return Number.isFinite(v) ? undefined : `${at} is ${String(v)}`;
    }
    if (typeof v !== 'object')
      return `${at} is ${typeof v === 'undefined' ? 'undefined' : `a ${typeof v}`}`;
    if (seen.has(v)) return `${at} is a circular reference`;
    const isArray = Array.isArray(v);
    if (!isArray) {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return `${at} is ${describeInstance(v)}`;
    }
    seen.add(v);
    const prior =
      typeof before === 'object' && before !== null
        ? (before as Record<string, unknown>)
        : undefined;
    try {
      if (isArray) {
        for (let i = 0; i < v.length; i++) {
          const child = (v as unknown[])[i];
          if (child === undefined)
            return `${at}[${i}] is undefined (in an array it would be stored as null)`;
          const problem = visit(child, `${at}[${i}]`, (prior as unknown[] | undefined)?.[i]);
          if (problem) return problem;
        }
        return undefined;
      }
      for (const key of Object.keys(v)) {
        const child = (v as Record<string, unknown>)[key];
        if (child === undefined) continue;
        const problem = visit(child, `${at}.${key}`, prior?.[key]);
        if (problem) return problem;
      }
      return undefined;
    } finally {
      seen.delete(v);
    }
  };
  return visit(value, path, checked);
}

/**
 * The first piece of data a step's effects would store that is not JSON data
 * (a delayed or sent event, an emitted event, an activity's input, an action's
 * params), described with its place, or undefined. Such data would come back
 * from the store as something else (a Date as a string) when the effect runs
 * after a restart, or when the event is replayed.
 */
export function effectNotJsonAt(effects: readonly Effect[]): string | undefined {
  for (const e of effects) {
    const problem =
      e.kind === 'timer.set'
        ? nonJsonAt(e.event, `the delayed event "${e.event.type}"`)
        : e.kind === 'send'
          ? nonJsonAt(e.event, `the event "${e.event.type}" sent to "${e.target}"`)
          : e.kind === 'emit'
            ? nonJsonAt(e.event, `the emitted event "${e.event.type}"`)
            : e.kind === 'activity.start'
              ? nonJsonAt(e.input, `the input of "${e.activityId}"`)
              : e.kind === 'action'
                ? nonJsonAt(e.params, `the params of action "${e.type}"`)
                : undefined;
    if (problem) return problem;
  }
  return undefined;
}

function describeInstance(v: object): string {
  if (v instanceof Date)
    return 'a Date (store an ISO string or epoch milliseconds, e.g. eventTime())';
  if (v instanceof Map || v instanceof Set)
    return `a ${v.constructor.name} (store an array or a plain object)`;
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return `an instance of ${typeof name === 'string' && name ? name : 'a class'} (store plain data)`;
}
