/**
 * A version diff weighed against the instances that are live: a removed state
 * with nobody in it, or one a migration maps, is safe; with instances in it
 * and no mapping it is blocked. Risky changes matter only where instances are.
 */
import { type Change, type Verdict, type VersionDiff, worse } from './diff.js';

/** Live instances of a version by state key (leaf paths joined by `,` for parallel states). */
export type LiveCounts = ReadonlyMap<string, number>;

export interface StateAssessment {
  /** A state of the old version (`paid.packed`; `` is the machine as a whole). */
  readonly state: string;
  /** Live instances in this state or one of its substates; undefined when not known. */
  readonly live: number | undefined;
  readonly verdict: Verdict;
  readonly reasons: readonly string[];
}

export interface Assessment {
  readonly machine: string;
  readonly states: readonly StateAssessment[];
  /** Each change with the verdict it has for the live instances. */
  readonly changes: readonly (Change & { readonly live: number | undefined })[];
  /** True when a change is blocked for live instances (or the counts are not known). */
  readonly blocked: boolean;
  /** The worst verdict of any change. */
  readonly verdict: Verdict;
}

/**
 * `mapping` is a migration's state mapping (old path → new path, nested
 * paths allowed); a mapped state, or one under a mapped state, is not blocked.
 */
export function assess(
  diff: VersionDiff,
  live: LiveCounts | undefined,
  mapping: Readonly<Record<string, string>> = {},
): Assessment {
  const liveIn = (path: string): number | undefined => {
    if (live === undefined) return undefined;
    let n = 0;
    for (const [key, count] of live) {
      if (
        key.split(',').some((leaf) => path === '' || leaf === path || leaf.startsWith(`${path}.`))
      ) {
        n += count;
      }
    }
    return n;
  };
  const mappedTo = (path: string): string | undefined => {
    const from = Object.keys(mapping).find((f) => path === f || path.startsWith(`${f}.`));
    return from === undefined ? undefined : mapping[from];
  };
  const changes = diff.changes.map((change) => {
    const n = liveIn(change.state);
    const target = change.kind === 'state.removed' ? mappedTo(change.state) : undefined;
    if (target !== undefined) {
      const detail = `state ${change.state} is gone: its instances move to ${target} (the declared mapping)`;
      return { ...change, verdict: 'safe' as Verdict, detail, live: n };
    }
    const verdict =
      (change.verdict === 'blocked' || change.verdict === 'risky') && n === 0
        ? 'safe'
        : change.verdict;
    return { ...change, verdict, live: n };
  });
  const states = diff.oldStates.map((state): StateAssessment => {
    const touching = changes.filter((c) => isAt(c.state, state));
    return {
      state,
      live: liveIn(state),
      verdict: touching.reduce<Verdict>((v, c) => worse(v, c.verdict), 'safe'),
      reasons: touching.filter((c) => c.verdict !== 'safe').map((c) => c.detail),
    };
  });
  const verdict = changes.reduce<Verdict>((v, c) => worse(v, c.verdict), 'safe');
  return { machine: diff.machine, states, changes, blocked: verdict === 'blocked', verdict };
}

/**
 * A change at `at` concerns `state` when it is that state or one of its
 * ancestors; machine-wide changes (`at` = ``) are the machine's row alone.
 */
function isAt(at: string, state: string): boolean {
  return at === state || (at !== '' && state.startsWith(`${at}.`));
}
