/**
 * What changing a machine from one version to another does to the instances
 * in flight, by the compatibility rules people use: adding a terminal state is
 * safe; adding an intermediate state needs care; removing or renaming a state
 * is blocked while instances are there (unless a migration maps them); a
 * retargeted transition is risky for instances in its source state; adding an
 * event is safe, removing one needs care (until no producer sends it); a
 * changed guard, action or implementation needs review. Pure.
 */
import type { ChartState, ChartTransition } from './chart-types.js';
import type { MachineDescription } from './definition.js';

/** From harmless to not allowed while instances are there. */
export type Verdict = 'safe' | 'care' | 'review' | 'risky' | 'blocked';
const ORDER: readonly Verdict[] = ['safe', 'care', 'review', 'risky', 'blocked'];
export const worse = (a: Verdict, b: Verdict): Verdict =>
  ORDER.indexOf(a) >= ORDER.indexOf(b) ? a : b;

export type ChangeKind =
  | 'state.added'
  | 'state.removed'
  | 'state.retyped'
  | 'state.initial'
  | 'state.invokes'
  | 'state.actions'
  | 'transition.added'
  | 'transition.removed'
  | 'transition.retargeted'
  | 'transition.guard'
  | 'transition.actions'
  | 'transition.delay'
  | 'event.added'
  | 'event.removed'
  | 'code.changed';

export interface Change {
  readonly kind: ChangeKind;
  readonly verdict: Verdict;
  /** The old version's state path it concerns (`paid.packed`; `` for the machine). */
  readonly state: string;
  readonly event?: string;
  /** For removed states: the added state that looks like it (same parent, type and events). */
  readonly renamedTo?: string;
  readonly detail: string;
}

export interface VersionDiff {
  readonly machine: string;
  readonly changes: readonly Change[];
  /** Every state of the old version. */
  readonly oldStates: readonly string[];
}

export function diffVersions(from: MachineDescription, to: MachineDescription): VersionDiff {
  const changes: Change[] = [];
  const oldStates = byPath(from.chart.root);
  const newStates = byPath(to.chart.root);
  const pathOf = (chart: MachineDescription['chart']) => {
    const ids = new Map<string, string>();
    for (const s of byPath(chart.root).values()) ids.set(s.id, s.path.join('.'));
    return (id: string) => ids.get(id) ?? id;
  };
  const oldPath = pathOf(from.chart);
  const newPath = pathOf(to.chart);

  const added = [...newStates.keys()].filter((p) => !oldStates.has(p));
  for (const [path, old] of oldStates) {
    const now = newStates.get(path);
    if (now === undefined) {
      const twin = added.find((p) => looksLike(old, newStates.get(p) as ChartState, from, to));
      changes.push({
        kind: 'state.removed',
        verdict: 'blocked',
        state: path,
        ...(twin !== undefined && { renamedTo: twin }),
        detail:
          twin !== undefined
            ? `state ${path} is gone; it looks renamed to ${twin} (map { ${JSON.stringify(path)}: ${JSON.stringify(twin)} })`
            : `state ${path} is gone: instances in it need a mapping to a state of the new version`,
      });
      continue;
    }
    if (now.type !== old.type || now.history !== old.history) {
      changes.push({
        kind: 'state.retyped',
        verdict: 'risky',
        state: path,
        detail: `state ${path} changed from ${old.history ?? old.type} to ${now.history ?? now.type}`,
      });
    }
    const oldInitial = old.initial === undefined ? undefined : oldPath(old.initial);
    const newInitial = now.initial === undefined ? undefined : newPath(now.initial);
    if (oldInitial !== newInitial) {
      changes.push({
        kind: 'state.initial',
        verdict: 'care',
        state: path,
        detail: `entering ${path || 'the machine'} now starts in ${newInitial ?? '(none)'} instead of ${oldInitial ?? '(none)'}`,
      });
    }
    if (JSON.stringify(old.invokes) !== JSON.stringify(now.invokes)) {
      changes.push({
        kind: 'state.invokes',
        verdict: 'risky',
        state: path,
        detail: `state ${path} invokes ${list(now.invokes.map((i) => i.src))} instead of ${list(old.invokes.map((i) => i.src))}: activities already running there are the old ones`,
      });
    }
    if (
      JSON.stringify([old.entry, old.exit]) !== JSON.stringify([now.entry, now.exit]) &&
      !(old.entry.length === 0 && old.exit.length === 0 && now.entry.length === 0)
    ) {
      changes.push({
        kind: 'state.actions',
        verdict: 'review',
        state: path,
        detail: `entry/exit actions of ${path} changed: [${old.entry}]/[${old.exit}] → [${now.entry}]/[${now.exit}]`,
      });
    }
  }
  for (const path of added) {
    const state = newStates.get(path) as ChartState;
    const terminal = state.type === 'final';
    changes.push({
      kind: 'state.added',
      verdict: terminal ? 'safe' : 'care',
      state: parentPath(path),
      detail: terminal
        ? `terminal state ${path} added`
        : `intermediate state ${path} added: check the transitions that lead into it`,
    });
  }

  diffTransitions(from, to, oldPath, newPath, changes);
  diffCode(from, to, changes);
  return { machine: from.machine, changes, oldStates: [...oldStates.keys()] };
}

function diffTransitions(
  from: MachineDescription,
  to: MachineDescription,
  oldPath: (id: string) => string,
  newPath: (id: string) => string,
  changes: Change[],
): void {
  const keyed = (ts: readonly ChartTransition[], pathOf: (id: string) => string) => {
    const out = new Map<string, ChartTransition & { readonly from: string }>();
    const seen = new Map<string, number>();
    for (const t of ts) {
      const base = `${pathOf(t.source)}|${t.kind}|${t.event}|${t.delay?.name ?? ''}`;
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.set(`${base}|${n}`, { ...t, from: pathOf(t.source) });
    }
    return out;
  };
  const before = keyed(from.chart.transitions, oldPath);
  const after = keyed(to.chart.transitions, newPath);
  const events = (ts: readonly ChartTransition[]) =>
    new Set(ts.filter((t) => t.kind === 'event').map((t) => t.event));
  const oldEvents = events(from.chart.transitions);
  const newEvents = events(to.chart.transitions);
  for (const e of newEvents) {
    if (!oldEvents.has(e)) {
      changes.push({
        kind: 'event.added',
        verdict: 'safe',
        state: '',
        event: e,
        detail: `event ${e} is handled now`,
      });
    }
  }
  for (const e of oldEvents) {
    if (!newEvents.has(e)) {
      changes.push({
        kind: 'event.removed',
        verdict: 'care',
        state: '',
        event: e,
        detail: `event ${e} is no longer handled anywhere: remove it once no producer sends it (it would be EVENT_UNKNOWN)`,
      });
    }
  }
  for (const [key, old] of before) {
    const now = after.get(key);
    const what = `${old.label} from ${old.from || 'the machine'}`;
    if (now === undefined) {
      if (old.kind === 'event' && !newEvents.has(old.event)) continue; // said above
      changes.push({
        kind: 'transition.removed',
        verdict: 'care',
        state: old.from,
        event: old.event,
        detail: `${what} is gone: instances there no longer react to it`,
      });
      continue;
    }
    const oldTargets = old.targets.map(oldPath).sort();
    const newTargets = now.targets.map(newPath).sort();
    if (JSON.stringify(oldTargets) !== JSON.stringify(newTargets) || old.reenter !== now.reenter) {
      changes.push({
        kind: 'transition.retargeted',
        verdict: 'risky',
        state: old.from,
        event: old.event,
        detail: `${what} now goes to ${list(newTargets)} instead of ${list(oldTargets)}`,
      });
    }
    if (old.guard !== now.guard) {
      changes.push({
        kind: 'transition.guard',
        verdict: 'review',
        state: old.from,
        event: old.event,
        detail: `${what}: guard ${old.guard ?? '(none)'} → ${now.guard ?? '(none)'}`,
      });
    }
    if (JSON.stringify(old.actions) !== JSON.stringify(now.actions)) {
      changes.push({
        kind: 'transition.actions',
        verdict: 'review',
        state: old.from,
        event: old.event,
        detail: `${what}: actions [${old.actions}] → [${now.actions}]`,
      });
    }
    if (old.delay?.ms !== now.delay?.ms) {
      changes.push({
        kind: 'transition.delay',
        verdict: 'review',
        state: old.from,
        event: old.event,
        detail: `${what}: delay ${old.delay?.ms ?? '?'} ms → ${now.delay?.ms ?? '?'} ms (timers already set keep their due time)`,
      });
    }
  }
  for (const [key, now] of after) {
    if (before.has(key)) continue;
    if (now.kind === 'event' && !oldEvents.has(now.event)) continue; // event.added says it
    const from_ = oldPath(now.source) === now.source ? newPath(now.source) : oldPath(now.source);
    changes.push({
      kind: 'transition.added',
      verdict: 'care',
      state: from_,
      event: now.event,
      detail: `${now.label} from ${from_ || 'the machine'} is new: instances there start reacting to it`,
    });
  }
}

function diffCode(from: MachineDescription, to: MachineDescription, changes: Change[]): void {
  for (const [place, hash] of Object.entries(from.code)) {
    const now = to.code[place];
    if (now === undefined || now === hash) continue;
    const inline = /^inline:([^/]*)\/(.*)$/.exec(place);
    changes.push({
      kind: 'code.changed',
      verdict: 'review',
      state: inline ? statePathOfId(from, inline[1] ?? '') : '',
      detail: inline
        ? `the inline code at ${inline[1]} (${inline[2]}) changed`
        : `the implementation of ${place.replace(':', ' ')} changed`,
    });
  }
}

/** Whether a removed state and an added one look like the same state under another name. */
function looksLike(
  old: ChartState,
  now: ChartState,
  from: MachineDescription,
  to: MachineDescription,
): boolean {
  if (old.type !== now.type || parentPath(old.path.join('.')) !== parentPath(now.path.join('.'))) {
    return false;
  }
  const events = (d: MachineDescription, id: string) =>
    d.chart.transitions
      .filter((t) => t.source === id)
      .map((t) => `${t.kind}:${t.kind === 'after' ? (t.delay?.name ?? t.delay?.ms) : t.event}`)
      .sort()
      .join(',');
  return events(from, old.id) === events(to, now.id);
}

/** Every state by its path (`paid.packed`), the root as ``. */
function byPath(root: ChartState): Map<string, ChartState> {
  const out = new Map<string, ChartState>();
  const visit = (s: ChartState) => {
    out.set(s.path.join('.'), s);
    for (const c of s.children) visit(c);
  };
  visit(root);
  return out;
}

function statePathOfId(d: MachineDescription, id: string): string {
  for (const s of byPath(d.chart.root).values()) if (s.id === id) return s.path.join('.');
  return '';
}

export function parentPath(path: string): string {
  const i = path.lastIndexOf('.');
  return i < 0 ? '' : path.slice(0, i);
}

function list(items: readonly string[]): string {
  return items.length === 0 ? '(nothing)' : items.join(', ');
}
