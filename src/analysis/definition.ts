/**
 * A machine definition as comparable data: its structure (the chart: state
 * tree, transitions and their targets, guard/action/actor names, delays,
 * initial, history and final states) and its code (a hash of the source of
 * every named implementation and every inline function, by its place in the
 * chart). Its fingerprint is a hash of both, so a change to either is seen;
 * the description itself is what is stored per version, so an old version can
 * be compared with a new one even after its code is gone.
 */
import { createHash } from 'node:crypto';
import type { AnyStateMachine } from 'xstate';
import { inlinePlaces, isBuiltIn } from '../core/inline.js';
import { machineChart } from './chart.js';
import type { Chart } from './chart-types.js';

export interface MachineDescription {
  readonly machine: string;
  readonly chart: Chart;
  /** Hashes of code, by where it is: `action:notify`, `guard:paidInFull`, `inline:order.pending/entry/0`, … */
  readonly code: Readonly<Record<string, string>>;
}

/** Reads a machine into its description. Pure: runs no machine code. */
export function describeMachine(machine: AnyStateMachine): MachineDescription {
  const code: Record<string, string> = {};
  const impl = machine.implementations as unknown as Record<string, Record<string, unknown>>;
  for (const kind of ['actions', 'guards', 'actors', 'delays'] as const) {
    for (const [name, value] of Object.entries(impl[kind] ?? {})) {
      code[`${kind.slice(0, -1)}:${name}`] = codeHash(value);
    }
  }
  const context = (machine.config as { context?: unknown }).context;
  if (typeof context === 'function') code.context = codeHash(context);
  else if (context !== undefined) code.context = hash(stableJson(context));
  // Inline functions and inline actor logic, by their place in the chart (as the runtime names them).
  for (const p of inlinePlaces(machine)) code[`inline:${p.place}`] = codeHash(p.value);
  return { machine: machine.id, chart: machineChart(machine), code: sorted(code) };
}

/** A short stable hash of a description: `sha256:<24 hex>`. */
export function fingerprintOf(description: MachineDescription): string {
  return `sha256:${hash(stableJson(description)).slice(0, 24)}`;
}

/**
 * The hash of a piece of code: a function's source, or a logic object's
 * (a promise actor keeps its function in `config`, a machine its definition).
 * Built-ins are hashed by their parameters, which is what the chart varies.
 */
function codeHash(value: unknown): string {
  if (typeof value === 'function') {
    // A built-in action or guard (assign, raise, and(), …) keeps its arguments in its own
    // fields; its code is XState's, not hashed, so upgrading XState changes no fingerprint.
    if (isBuiltIn(value)) return hash(stableJson(builtInFields(value))).slice(0, 16);
    return hash(normalizedSource(value)).slice(0, 16);
  }
  if (typeof value === 'object' && value !== null) {
    const logic = value as { config?: unknown; id?: unknown; root?: unknown };
    if (logic.root !== undefined && typeof logic.id === 'string') {
      return hash(stableJson(describeMachine(value as AnyStateMachine))).slice(0, 16);
    }
    if (typeof logic.config === 'function')
      return hash(normalizedSource(logic.config)).slice(0, 16);
  }
  return hash(stableJson(value) ?? String(value)).slice(0, 16);
}

/**
 * A function's source with what loaders change removed: comments, whitespace,
 * semicolons, trailing commas and quote style (tsx minifies whitespace, vitest
 * does not, a build may keep comments), so the same code hashes the same
 * whichever way it was loaded.
 */
export function normalizedSource(fn: unknown): string {
  return String(fn)
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/[^\n]*/g, '$1')
    .replace(/\s+/g, '')
    .replace(/;/g, '')
    .replace(/,([}\])])/g, '$1')
    .replace(/"/g, "'");
}

/** The fields through which a built-in action or guard is given its arguments. */
const BUILT_IN_FIELDS = [
  'type',
  'assignment',
  'event',
  'to',
  'id',
  'delay',
  'params',
  'value',
  'label',
  'collect',
  'src',
  'input',
  'systemId',
  'sendId',
  'actorRef',
  'guards',
  'stateValue',
] as const;

function builtInFields(fn: unknown): Record<string, unknown> {
  const source = fn as Record<string, unknown>;
  return Object.fromEntries(
    BUILT_IN_FIELDS.filter((k) => source[k] !== undefined).map((k) => [k, source[k]]),
  );
}

function hash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** JSON with object keys sorted (and functions by their source), the same for equal data. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'function') return `fn:${hash(normalizedSource(v)).slice(0, 16)}`;
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return sorted(v as Record<string, unknown>);
  });
}

function sorted<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(
    Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
