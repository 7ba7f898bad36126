import { storeErrors } from '../store-errors.js';
import type { CommitWrite, Store, WriteOutcome } from '../types.js';

/** What the next commit of a `faultyStore` does instead of committing normally. */
export type CommitFault =
  /** Commits, then throws as if the connection dropped before the answer arrived. */
  | 'lost-answer'
  /** Throws as if the connection dropped before the commit reached the store: nothing kept. */
  | 'lost-request'
  /** Throws as a store that rolled the transaction back because of the data (permanent). */
  | 'refused';

/**
 * A store that wraps another and fails chosen commits in the ways real stores
 * fail: `fail(fault, times)` makes the next `times` commits fail so. While
 * `unreachable` is set, commits, lookups of writes (`findWrites`) and the
 * readiness probe fail, as when the database cannot be reached at all.
 */
export function faultyStore(inner: Store): Store & {
  fail(fault: CommitFault, times?: number): void;
  unreachable: boolean;
  readonly commits: CommitWrite[][];
} {
  const queue: CommitFault[] = [];
  const commits: CommitWrite[][] = [];
  const lost = (what: string) => new Error(`Connection terminated unexpectedly (${what})`);
  const control = {
    unreachable: false,
    commits,
    fail(fault: CommitFault, times = 1) {
      for (let i = 0; i < times; i++) queue.push(fault);
    },
    async commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]> {
      commits.push([...writes]);
      const fault = queue.shift();
      if (fault === 'lost-request' || (fault === undefined && control.unreachable)) {
        throw storeErrors.commitFailed(inner.kind, lost('request'), {
          outcome: 'not-committed',
          transient: true,
        });
      }
      if (fault === 'refused') {
        throw storeErrors.commitFailed(inner.kind, new Error('constraint failed'), {
          outcome: 'not-committed',
          transient: false,
        });
      }
      const outcomes = await inner.commit(writes);
      if (fault === 'lost-answer') {
        throw storeErrors.commitFailed(inner.kind, lost('answer'), {
          outcome: 'unknown',
          transient: true,
        });
      }
      return outcomes;
    },
    async probe() {
      if (control.unreachable) {
        throw storeErrors.failed(inner.kind, 'commit the readiness probe', lost('probe'));
      }
      return inner.probe();
    },
    async findWrites(refs: Parameters<Store['findWrites']>[0]) {
      if (control.unreachable) {
        throw storeErrors.failed(inner.kind, 'look for writes', lost('lookup'));
      }
      return inner.findWrites(refs);
    },
  };
  return new Proxy(inner, {
    get(target, prop) {
      if (Object.hasOwn(control, prop)) return control[prop as keyof typeof control];
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
    set(_target, prop, value) {
      if (prop !== 'unreachable') return false;
      control.unreachable = Boolean(value);
      return true;
    },
  }) as Store & typeof control;
}
