import type { Chart, ChartState, ChartTransition, StateValue } from '../types';

/** Lookups over a chart: states by id and by dotted path, and each state's parent. */
export interface ChartIndex {
  readonly chart: Chart;
  readonly byId: ReadonlyMap<string, ChartState>;
  /** `paid.awaitingPacking` → its state; `` → the root. */
  readonly byPath: ReadonlyMap<string, ChartState>;
  readonly parent: ReadonlyMap<string, ChartState>;
  /** Every state, parents before children. */
  readonly states: readonly ChartState[];
}

export function indexChart(chart: Chart): ChartIndex {
  const byId = new Map<string, ChartState>();
  const byPath = new Map<string, ChartState>();
  const parent = new Map<string, ChartState>();
  const states: ChartState[] = [];
  const walk = (s: ChartState) => {
    states.push(s);
    byId.set(s.id, s);
    byPath.set(s.path.join('.'), s);
    for (const kid of s.children) {
      parent.set(kid.id, s);
      walk(kid);
    }
  };
  walk(chart.root);
  return { chart, byId, byPath, parent, states };
}

/** Dotted paths of the leaf states in a state value: `{ paid: 'packed' }` → `['paid.packed']`. */
export function leafPaths(value: StateValue, prefix = ''): string[] {
  if (typeof value === 'string') return [prefix ? `${prefix}.${value}` : value];
  const keys = Object.keys(value);
  if (keys.length === 0) return prefix ? [prefix] : [];
  return keys.flatMap((key) => {
    const path = prefix ? `${prefix}.${key}` : key;
    const sub = value[key];
    return sub === undefined ? [path] : leafPaths(sub, path);
  });
}

/** `{ paid: 'packed' }` → `paid.packed`; parallel values join their leaves with `, `. */
export function valueLabel(value: StateValue): string {
  return leafPaths(value).join(', ');
}

/** Ids of every active state in a value: the leaves, their ancestors and the root. */
export function activeIds(index: ChartIndex, value: StateValue): Set<string> {
  const ids = new Set<string>([index.chart.root.id]);
  for (const leaf of leafPaths(value)) {
    const parts = leaf.split('.');
    for (let i = 1; i <= parts.length; i++) {
      const state = index.byPath.get(parts.slice(0, i).join('.'));
      if (state) ids.add(state.id);
    }
  }
  return ids;
}

/** One event type the active configuration handles, and how. */
export interface AcceptedEvent {
  readonly type: string;
  /** Every handling transition has a guard: the server may still refuse it. */
  readonly guarded: boolean;
  readonly transitions: readonly ChartTransition[];
}

/** True when an XState event descriptor (`Pay`, `*`, `order.*`) matches an event type. */
export function descriptorMatches(descriptor: string, type: string): boolean {
  if (descriptor === type || descriptor === '*') return true;
  if (!descriptor.endsWith('.*')) return false;
  const prefix = descriptor.slice(0, -2);
  return type === prefix || type.startsWith(`${prefix}.`);
}

/**
 * Which of `types` (the machine's event types) the active states handle,
 * computed from the chart alone: a transition on an active state whose
 * descriptor matches. Guards are not evaluated here; `guarded` says a guard
 * decides. The others are in `rejected`.
 */
export function acceptedEvents(
  index: ChartIndex,
  active: ReadonlySet<string>,
  types: readonly string[],
): { accepted: AcceptedEvent[]; rejected: string[] } {
  // Innermost states first (their transitions win in XState), then document order.
  const depth = (id: string) => index.byId.get(id)?.path.length ?? 0;
  const live = index.chart.transitions
    .map((t, i) => ({ t, i }))
    .filter(({ t }) => t.kind === 'event' && active.has(t.source))
    .sort((a, b) => depth(b.t.source) - depth(a.t.source) || a.i - b.i)
    .map(({ t }) => t);
  const accepted: AcceptedEvent[] = [];
  const rejected: string[] = [];
  for (const type of types) {
    const transitions = live.filter((t) => descriptorMatches(t.event, type));
    if (transitions.length === 0) rejected.push(type);
    else
      accepted.push({
        type,
        guarded: transitions.every((t) => t.guard !== undefined),
        transitions,
      });
  }
  const rank = (type: string) => live.findIndex((t) => descriptorMatches(t.event, type));
  accepted.sort((a, b) => rank(a.type) - rank(b.type));
  return { accepted, rejected };
}
