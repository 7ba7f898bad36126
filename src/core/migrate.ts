/**
 * Moving an instance's state from one machine version to another, as a pure
 * transform: the old snapshot, a state mapping and the new context in; the new
 * version's snapshot and the effects of the move out. States that are left
 * lose their `after` timers and invoked activities; states that are entered
 * get theirs, as entering them would; children of states that stay active are
 * kept. Replay runs the same transform, so a migration replays exactly.
 */
import type { AnyMachineSnapshot, AnyStateMachine, AnyStateNode, StateValue } from 'xstate';
import { StatorError } from './errors.js';
import { statePaths } from './state-value.js';
import type { Stepper } from './step.js';
import type { Effect } from './types.js';

/** The event type a migration is recorded under in the instance's history. */
export const MIGRATED_EVENT = 'stator.migrated';

/** Old state path → new state path (`{ paused: 'onHold', 'paid.packed': 'paid.ready' }`). */
export type StateMapping = Readonly<Record<string, string>>;

/**
 * The state value in the new version: every leaf path moved by the longest
 * mapping entry that covers it (a path or one of its ancestors), else kept.
 * Throws MIGRATION_NOT_POSSIBLE naming the paths the new version lacks.
 */
export function mapStateValue(
  value: StateValue,
  mapping: StateMapping,
  to: AnyStateMachine,
): StateValue {
  const keys = Object.keys(mapping).sort((a, b) => b.length - a.length);
  const moved = statePaths(value).map((path) => {
    const key = keys.find((k) => path === k || path.startsWith(`${k}.`));
    return key === undefined ? path : `${mapping[key]}${path.slice(key.length)}`;
  });
  const missing = moved.filter((path) => !hasPath(to, path));
  if (missing.length > 0) {
    throw new StatorError(
      'MIGRATION_NOT_POSSIBLE',
      `The target version of "${to.id}" has no state ${missing.join(', ')}: add ${missing.length > 1 ? 'them' : 'it'} to the migration's state mapping (old path → new path), or leave the instance on its version.`,
      { machine: to.id, missing },
    );
  }
  return fromPaths(moved);
}

export interface MigrationStep {
  readonly snapshot: AnyMachineSnapshot;
  readonly effects: Effect[];
}

/**
 * The snapshot of `to` in state `value` with `context`, keeping what still
 * applies of `snapshot` (children of states that stay active, history of
 * states that still exist), and the effects of leaving and entering states.
 * `at` is the migration's recorded time (timers are due from it).
 */
export function migrateSnapshot(
  from: Stepper,
  to: Stepper,
  snapshot: AnyMachineSnapshot,
  target: { readonly value: StateValue; readonly context: unknown; readonly at: number },
): MigrationStep {
  const resolved = to.machine.resolveState({
    value: target.value,
    context: target.context as never,
  });
  const before = activeIds(snapshot);
  const after = activeIds(resolved);
  const persisted = from.persist(snapshot) as {
    children?: Record<string, { src?: unknown }>;
    historyValue?: Record<string, unknown>;
  };
  const effects: Effect[] = [];
  const children: Record<string, unknown> = {};
  const event = { type: MIGRATED_EVENT };

  // What stays: children of nodes active before and after with the same invoke.
  const invokesOf = (machine: AnyStateMachine, ids: ReadonlySet<string>) => {
    const out = new Map<string, { node: AnyStateNode; src: unknown; input: unknown }>();
    for (const id of ids) {
      const node = machine.getStateNodeById(id);
      for (const inv of node.invoke) out.set(inv.id, { node, src: inv.src, input: inv.input });
    }
    return out;
  };
  const oldInvokes = invokesOf(from.machine, before);
  const newInvokes = invokesOf(to.machine, after);
  for (const [id, inv] of oldInvokes) {
    const kept = newInvokes.get(id);
    if (kept !== undefined && kept.src === inv.src && after.has(inv.node.id)) {
      if (persisted.children?.[id] !== undefined) children[id] = persisted.children[id];
      continue;
    }
    effects.push({
      kind: 'activity.stop',
      activityId: id,
      ...(typeof inv.src === 'string' && { src: inv.src }),
    });
  }
  for (const id of before) {
    if (after.has(id)) continue;
    for (const t of from.machine.getStateNodeById(id).after) {
      effects.push({ kind: 'timer.cancel', timerId: t.eventType });
    }
  }
  for (const id of after) {
    if (before.has(id)) continue;
    const node = to.machine.getStateNodeById(id);
    for (const t of node.after) {
      const delay = delayMs(to.machine, t.delay, target.context, event);
      effects.push({
        kind: 'timer.set',
        timerId: t.eventType,
        delay,
        dueAt: target.at + delay,
        event: { type: t.eventType },
        target: 'self',
      });
    }
  }
  for (const [id, inv] of newInvokes) {
    if (children[id] !== undefined || typeof inv.src !== 'string') continue;
    if (oldInvokes.has(id) && before.has(inv.node.id) && after.has(inv.node.id)) continue;
    const input =
      typeof inv.input === 'function'
        ? (inv.input as (a: object) => unknown)({ context: target.context, event, self: undefined })
        : (inv.input ?? null);
    effects.push({ kind: 'activity.start', activityId: id, src: inv.src, input: input ?? null });
    children[id] = { snapshot: { status: 'active', input }, src: inv.src, syncSnapshot: false };
  }
  const history = Object.fromEntries(
    Object.entries(persisted.historyValue ?? {}).filter(([nodeId]) => {
      try {
        to.machine.getStateNodeById(nodeId);
        return true;
      } catch {
        return false;
      }
    }),
  );
  const next = to.restore({
    status: 'active',
    value: resolved.value,
    historyValue: history,
    context: target.context,
    children,
  });
  return { snapshot: next, effects };
}

function activeIds(snapshot: AnyMachineSnapshot): Set<string> {
  return new Set((snapshot as unknown as { _nodes: { id: string }[] })._nodes.map((n) => n.id));
}

function delayMs(
  machine: AnyStateMachine,
  delay: unknown,
  context: unknown,
  event: object,
): number {
  const named = typeof delay === 'string' ? machine.implementations.delays[delay] : delay;
  const value =
    typeof named === 'function' ? (named as (a: object) => unknown)({ context, event }) : named;
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

/** Whether `machine` has a state at this dotted path. */
export function hasPath(machine: AnyStateMachine, path: string): boolean {
  let node: AnyStateNode = machine.root;
  for (const key of path.split('.')) {
    const next = node.states[key] as AnyStateNode | undefined;
    if (next === undefined) return false;
    node = next;
  }
  return true;
}

/** A state value from leaf paths: `['a.x', 'b.y']` → `{ a: 'x', b: 'y' }`, `['p']` → `'p'`. */
function fromPaths(paths: readonly string[]): StateValue {
  if (paths.length === 1 && !paths[0]?.includes('.')) return paths[0] as string;
  const out: Record<string, unknown> = {};
  for (const path of paths) {
    const keys = path.split('.');
    let at = out;
    keys.forEach((key, i) => {
      if (i === keys.length - 1) {
        if (at[key] === undefined) at[key] = {};
        return;
      }
      const next = at[key];
      at[key] = typeof next === 'object' && next !== null ? next : {};
      at = at[key] as Record<string, unknown>;
    });
  }
  return collapse(out) as StateValue;
}

/** `{ a: { x: {} } }` → `{ a: 'x' }`: a node with one leaf child is that child's key. */
function collapse(value: Record<string, unknown>): unknown {
  const entries = Object.entries(value);
  return Object.fromEntries(
    entries.map(([key, child]) => {
      const kids = Object.entries(child as Record<string, unknown>);
      if (kids.length === 0) return [key, {}];
      if (kids.length === 1 && Object.keys(kids[0]?.[1] as object).length === 0) {
        return [key, kids[0]?.[0]];
      }
      return [key, collapse(child as Record<string, unknown>)];
    }),
  );
}
