import { describe, expect, it } from 'vitest';
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
      if (ids.includes('bad')) throw new Error('constraint failed');
      return writes.map(() => ({ ok: true }));
    },
  } as unknown as Store;
}

describe('group commit', () => {
  it('writes submitted together share one transaction, and each caller gets its outcome', async () => {
    const batches: string[][] = [];
    const committer = new GroupCommitter(fakeStore(batches), 100);
    const outcomes = await Promise.all(['a', 'b', 'c'].map((id) => committer.submit(audit(id))));
    expect(outcomes).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(batches).toEqual([['a', 'b', 'c']]);
  });

  it('caps the batch size', async () => {
    const batches: string[][] = [];
    const committer = new GroupCommitter(fakeStore(batches), 2);
    await Promise.all(['a', 'b', 'c'].map((id) => committer.submit(audit(id))));
    expect(batches).toEqual([['a', 'b'], ['c']]);
  });

  it('isolates a failing write: its neighbours still commit', async () => {
    const batches: string[][] = [];
    const committer = new GroupCommitter(fakeStore(batches), 100);
    const results = await Promise.allSettled(
      ['a', 'bad', 'c'].map((id) => committer.submit(audit(id))),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(batches).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
  });
});
