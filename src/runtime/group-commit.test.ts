import { describe, expect, it } from 'vitest';
import { storeErrors } from '../store/store-errors.js';
import type { CommitWrite, Store, WriteOutcome } from '../store/types.js';
import { GroupCommitter } from './group-commit.js';

const audit = (id: string): CommitWrite => ({
  kind: 'audit',
  audit: {
    machine: 'm',
    id,
    transitionId: id,
    seq: null,
    actor: null,
    eventType: 'E',
    from: null,
    to: null,
    at: 0,
    traceId: null,
    outcome: 'rejected_invalid',
    reason: null,
  },
});

/** A store whose commit records batches and throws for any batch holding a write with id "bad". */
function fakeStore(batches: string[][]): Store {
  return {
    async commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]> {
      const ids = writes.map((w) =>
        w.kind === 'audit' ? w.audit.id : w.kind === 'outbox-done' ? 'done' : w.instance.id,
      );
      batches.push(ids);
      if (ids.includes('bad')) {
        throw storeErrors.commitFailed('fake', new Error('constraint failed'), {
          outcome: 'not-committed',
          transient: false,
        });
      }
      return writes.map(() => ({ ok: true }));
    },
  } as unknown as Store;
}

describe('group commit', () => {
  it('writes submitted together share one transaction, and each caller gets its outcome', async () => {
    const batches: string[][] = [];
    const committer = new GroupCommitter(fakeStore(batches), { maxBatch: 100 });
    const outcomes = await Promise.all(['a', 'b', 'c'].map((id) => committer.submit(audit(id))));
    expect(outcomes).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('caps the batch size', async () => {
    const batches: string[][] = [];
    const committer = new GroupCommitter(fakeStore(batches), { maxBatch: 2 });
    await Promise.all(['a', 'b', 'c'].map((id) => committer.submit(audit(id))));
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('isolates a failing write: its neighbours still commit', async () => {
    const batches: string[][] = [];
    const committer = new GroupCommitter(fakeStore(batches), { maxBatch: 100 });
    const results = await Promise.allSettled(
      ['a', 'bad', 'c'].map((id) => committer.submit(audit(id))),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });

  it('pipelines up to maxInFlight transactions, one new batch per turn, and flushed() waits for all', async () => {
    const started: string[][] = [];
    const release: (() => void)[] = [];
    const slow = {
      commit(writes: readonly CommitWrite[]): Promise<WriteOutcome[]> {
        started.push(writes.map((w) => (w.kind === 'audit' ? w.audit.id : '?')));
        return new Promise((resolve) =>
          release.push(() => resolve(writes.map(() => ({ ok: true })))),
        );
      },
    } as unknown as Store;
    const committer = new GroupCommitter(slow, { maxBatch: 100, maxInFlight: 2 });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    const first = committer.submit(audit('a'));
    await turn();
    const second = committer.submit(audit('b'));
    await turn();
    const third = committer.submit(audit('c'));
    const fourth = committer.submit(audit('d'));
    await turn();
    // Two in flight: c and d wait, together, for a slot.
    expect(started).toEqual([['a'], ['b']]);
    let flushed = false;
    const whenFlushed = committer.flushed().then(() => {
      flushed = true;
    });
    release.shift()?.();
    await first;
    await turn();
    await turn();
    expect(started).toEqual([['a'], ['b'], ['c', 'd']]);
    for (const done of release.splice(0)) done();
    await Promise.all([second, third, fourth]);
    await whenFlushed;
    expect(flushed).toBe(true);
  });

  it('a lazy write rides with the next batch, or commits on its own after its delay', async () => {
    const batches: string[][] = [];
    const committer = new GroupCommitter(fakeStore(batches), { maxBatch: 100, maxInFlight: 2 });
    const lazy = committer.submitLazy(audit('lazy'), 60_000);
    await committer.submit(audit('now'));
    await lazy;
    expect(batches).toEqual([['lazy', 'now']]);
    const alone = committer.submitLazy(audit('alone'), 5);
    await alone;
    expect(batches.at(-1)).toEqual(['alone']);
    const atClose = committer.submitLazy(audit('at-close'), 60_000);
    await committer.flushed();
    await atClose;
    expect(batches.at(-1)).toEqual(['at-close']);
  });
});
