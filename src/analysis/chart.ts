import type { AnyStateMachine, AnyStateNode } from 'xstate';
import type {
  Chart,
  ChartDelay,
  ChartState,
  ChartTransition,
  ChartTransitionKind,
} from './chart-types.js';

export type * from './chart-types.js';

/**
 * Reads a machine definition into the JSON the inspector draws: the state tree
 * (types, history depth, initial children, entry/exit actions, invokes) and
 * every transition with its event, guard, delay and action names. Pure: no
 * code is run, guards and delays are only named (numeric delays resolved).
 *
 * @example
 * const chart = machineChart(orderMachine);
 * chart.transitions.find((t) => t.event === 'Pay');
 * // { source: 'order.pending', targets: ['order.paid'], guard: 'paidInFull', label: 'Pay', … }
 */
export function machineChart(machine: AnyStateMachine): Chart {
  const delays = (machine.implementations?.delays ?? {}) as Record<string, unknown>;
  const transitions: ChartTransition[] = [];
  const root = readState(machine.root, delays, transitions);
  return { machine: machine.id, root, transitions };
}

type Transition = {
  readonly target?: readonly AnyStateNode[] | undefined;
  readonly guard?: unknown;
  readonly eventType: string;
  readonly reenter?: boolean;
  readonly actions?: readonly unknown[];
  readonly delay?: unknown;
};

function readState(
  node: AnyStateNode,
  delays: Record<string, unknown>,
  out: ChartTransition[],
): ChartState {
  const kids = Object.values(node.states) as AnyStateNode[];
  readTransitions(node, delays, out);
  const children = kids.map((kid) => readState(kid, delays, out));
  const initial = node.type === 'compound' ? node.initial?.target?.[0]?.id : undefined;
  return {
    id: node.id,
    key: node.key,
    path: [...node.path],
    type: node.type,
    ...(node.type === 'history' && { history: node.history === 'deep' ? 'deep' : 'shallow' }),
    ...(initial !== undefined && { initial }),
    entry: node.entry.filter((a) => !isTimerAction(a)).map(actionName),
    exit: node.exit.filter((a) => !isTimerAction(a)).map(actionName),
    invokes: node.invoke.map((inv) => ({
      id: inv.id,
      src: typeof inv.src === 'string' ? inv.src : 'inline',
    })),
    tags: [...node.tags],
    ...(node.description !== undefined && { description: node.description }),
    children,
  };
}

function readTransitions(
  node: AnyStateNode,
  delays: Record<string, unknown>,
  out: ChartTransition[],
): void {
  const add = (t: Transition, kind: ChartTransitionKind, extra: Partial<ChartTransition>) => {
    const targets = (t.target ?? []).map((n) => n.id);
    const reenter = t.reenter === true;
    const internal = !reenter && (t.target ?? []).every((n) => n !== node && isDescendant(n, node));
    const guard = guardName(t.guard);
    out.push({
      id: `${node.id}#${out.filter((x) => x.source === node.id).length}`,
      source: node.id,
      targets,
      kind,
      event: t.eventType,
      label: extra.label ?? t.eventType,
      ...(guard !== undefined && { guard }),
      ...extra,
      reenter,
      internal,
      actions: (t.actions ?? []).map(actionName),
    });
  };
  for (const [event, list] of node.transitions as Map<string, Transition[]>) {
    if (event.startsWith('xstate.after.')) continue;
    const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(event);
    for (const t of list) {
      if (actor?.[1] && actor[2]) {
        const kind = actor[1] as 'done' | 'error';
        add(t, kind, { label: `${kind} ${actor[2]}`, invoke: actor[2] });
      } else if (event.startsWith('xstate.done.state.')) {
        add(t, 'done.state', { label: 'done' });
      } else {
        add(t, 'event', { label: event === '*' ? 'any event' : event });
      }
    }
  }
  for (const t of node.after as Transition[]) {
    const delay = delayOf(t.delay, delays);
    add(t, 'after', { label: `after ${delayLabel(delay)}`, delay });
  }
  for (const t of (node.always ?? []) as Transition[]) add(t, 'always', { label: 'always' });
}

function isDescendant(node: AnyStateNode, ancestor: AnyStateNode): boolean {
  for (let n = node.parent; n; n = n.parent) if (n === ancestor) return true;
  return false;
}

function delayOf(delay: unknown, named: Record<string, unknown>): ChartDelay {
  if (typeof delay === 'number') return { ms: delay };
  if (typeof delay === 'string') {
    const value = Object.hasOwn(named, delay) ? named[delay] : undefined;
    return typeof value === 'number' ? { name: delay, ms: value } : { name: delay };
  }
  return {};
}

const UNITS: readonly [number, string][] = [
  [86_400_000, 'd'],
  [3_600_000, 'h'],
  [60_000, 'min'],
  [1000, 's'],
];

/** `172800000` → `48h`, `604800000` → `7d`, `90000` → `90s`, `1500` → `1.5s`. */
export function durationLabel(ms: number): string {
  for (const [size, unit] of UNITS) {
    if (unit === 'd' && ms < 3 * size) continue;
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  if (ms >= 1000) return `${Math.round(ms / 100) / 10}s`;
  return `${ms}ms`;
}

function delayLabel(delay: ChartDelay): string {
  if (delay.ms !== undefined) return durationLabel(delay.ms);
  return delay.name ?? '(computed)';
}

/**
 * XState schedules each `after` with an entry `raise` and an exit `cancel` of
 * `xstate.after.*`; the chart shows those as the delayed transition instead.
 */
function isTimerAction(action: unknown): boolean {
  const a = action as { type?: unknown; id?: unknown; sendId?: unknown } | null;
  const id = a?.type === 'xstate.raise' ? a.id : a?.type === 'xstate.cancel' ? a.sendId : undefined;
  return typeof id === 'string' && id.startsWith('xstate.after.');
}

/** A name for an action: its `setup` name, or the built-in's (`assign`, `emit`, `raise`, …). */
function actionName(action: unknown): string {
  if (typeof action === 'string') return action;
  const type = (action as { type?: unknown } | null)?.type;
  if (typeof type === 'string') return type.replace(/^xstate\./, '');
  if (typeof action === 'function' && action.name) return action.name;
  return 'inline';
}

/** A guard as a short expression: `paidInFull`, `!a`, `a && b`, `a || b`, `in(#x)`. */
function guardName(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard;
  const g = guard as {
    type?: unknown;
    guards?: readonly unknown[];
    stateValue?: unknown;
    name?: unknown;
    check?: { name?: unknown };
  };
  if (typeof g.type === 'string') return g.type;
  // Higher-order guards are functions carrying their operands: and([...]).guards, stateIn(v).stateValue.
  const parts = () => (g.guards ?? []).map((x) => wrap(guardName(x) ?? '?'));
  switch (g.check?.name ?? g.name) {
    case 'checkAnd':
    case 'and':
      return parts().join(' && ');
    case 'checkOr':
    case 'or':
      return parts().join(' || ');
    case 'checkNot':
    case 'not':
      return `!${parts()[0] ?? '?'}`;
    case 'checkStateIn':
    case 'stateIn':
      return `in(${typeof g.stateValue === 'string' ? g.stateValue : JSON.stringify(g.stateValue)})`;
  }
  return typeof g.name === 'string' && g.name !== '' ? g.name : 'inline';
}

function wrap(expr: string): string {
  return /[ &|]/.test(expr) ? `(${expr})` : expr;
}
