import { describe, expect, it } from 'vitest';
import {
  at,
  auditOnly,
  createWrite,
  effect,
  emit,
  eventWrite,
  key,
  timer,
} from '../contract/builders.js';
import { encodeBatch } from './commit.js';
import { HAS } from './commit-function.js';

const order = key('order', 'o-1');
const other = key('order', 'o-2');

describe('encodeBatch (the arguments of stator_commit)', () => {
  it('puts a runtime batch, one write per instance, in a single wave', () => {
    const batch = encodeBatch([createWrite(order), eventWrite(other, 3), auditOnly(key('x', 'y'))]);
    expect(batch.waves).toEqual([3]);
    expect(batch.has).toBe(HAS.creates | HAS.events | HAS.audits);
    expect(JSON.parse(batch.writes).map((w: { i: number; wave: number }) => [w.i, w.wave])).toEqual(
      [
        [0, 1],
        [1, 1],
        [2, 1],
      ],
    );
  });

  it('gives an instance’s k-th write of the batch wave k, so each wave touches it once', () => {
    const batch = encodeBatch([
      createWrite(order),
      eventWrite(order, 1),
      createWrite(other),
      auditOnly(order),
    ]);
    expect(batch.waves).toEqual([2, 1, 1]);
    expect(JSON.parse(batch.writes).map((w: { wave: number }) => w.wave)).toEqual([1, 2, 1, 3]);
  });

  it('carries JSON values as their exact JSON text, and leaves out empty side lists', () => {
    const batch = encodeBatch([createWrite(order, { context: { a: '\u0000', b: [1.5] } })]);
    const [row] = JSON.parse(batch.writes);
    expect(row.context).toBe('{"a":"\\u0000","b":[1.5]}');
    expect(row.value).toBe('"pending"');
    expect(batch).toMatchObject({ cancels: null, timers: null, outbox: null, emits: null });
    expect(batch.done).toBeNull();
  });

  it('keeps the last of a timer id set twice in one write', () => {
    const batch = encodeBatch([
      createWrite(order, { timersSet: [timer(order, 't', at(1)), timer(order, 't', at(2))] }),
    ]);
    expect(JSON.parse(batch.timers!).map((t: { due_at: number }) => t.due_at)).toEqual([at(2)]);
  });

  it('collects finished effects and writes rows leased to their writer', () => {
    const leased = {
      ...createWrite(order, { outbox: [effect(order, 1, 0)] }),
      outboxLease: { owner: 'me', until: at(60) },
    };
    const batch = encodeBatch([{ kind: 'outbox-done', effectIds: ['a/b/1/0'] }, leased]);
    expect(batch.done).toEqual(['a/b/1/0']);
    expect(JSON.parse(batch.outbox!)[0]).toMatchObject({ lease_owner: 'me', lease_until: at(60) });
  });

  it('wakes other processes for timers, unleased outbox rows and emits only', () => {
    const leased = {
      ...createWrite(order, { outbox: [effect(order, 1, 0)] }),
      outboxLease: { owner: 'me', until: at(60) },
    };
    expect(encodeBatch([leased]).topics).toEqual([]);
    const all = createWrite(other, {
      timersSet: [timer(other, 't', at(1))],
      outbox: [effect(other, 1, 0)],
      emits: [emit(other, 1, 0)],
    });
    expect(encodeBatch([leased, all]).topics).toEqual(['timers', 'outbox', 'emits']);
  });
});
