import { describe, expect, it } from 'vitest';
import { auditOnly, createWrite, effect, eventWrite, key, readAll, timer } from './builders.js';
import type { ContractContext } from './context.js';

const OK = { ok: true };

/** commit: per-write checks, atomicity of each write, independence of a batch's writes. */
export function describeCommitContract(ctx: ContractContext): void {
  const order = key('order', 'o-1');
  const other = key('order', 'o-2');

  describe('commit: create', () => {
    it('stores the instance row exactly as written, with its first event and audit row', async () => {
      const write = createWrite(order, { context: { total: 40 }, payload: { total: 40 } });
      expect(await ctx.store.commit([write])).toEqual([OK]);
      expect(await ctx.store.getInstance(order)).toEqual(write.instance);
      expect(await ctx.store.readEvents(order)).toEqual([write.event]);
      expect(await ctx.store.readAudit(order)).toEqual([{ ...write.audit, position: 1 }]);
    });

    it('returns undefined for an instance that was never created', async () => {
      expect(await ctx.store.getInstance(order)).toBeUndefined();
    });

    it('fails a second create with INSTANCE_EXISTS and keeps nothing of it', async () => {
      await ctx.store.commit([createWrite(order)]);
      const before = await readAll(ctx.store, order, ['again']);
      const again = createWrite(order, {
        value: 'other',
        timersSet: [timer(order, 't', 1)],
        outbox: [effect(order, 1, 5)],
        snapshot: { again: true },
        idempotency: { key: 'again' },
      });
      expect(await ctx.store.commit([again])).toEqual([{ ok: false, code: 'INSTANCE_EXISTS' }]);
      expect(await readAll(ctx.store, order, ['again'])).toEqual(before);
    });
  });

  describe('commit: events', () => {
    it('applies an event whose expectedSeq is the current seq', async () => {
      await ctx.store.commit([createWrite(order)]);
      const pay = eventWrite(order, 1, { type: 'Pay', value: 'paid', context: { paid: true } });
      expect(await ctx.store.commit([pay])).toEqual([OK]);
      expect(await ctx.store.getInstance(order)).toEqual(pay.instance);
      expect((await ctx.store.readEvents(order)).map((e) => [e.seq, e.type])).toEqual([
        [1, 'xstate.init'],
        [2, 'Pay'],
      ]);
    });

    it('fails a stale event with SEQUENCE_CONFLICT and the actual seq, keeping nothing of it', async () => {
      await ctx.store.commit([
        createWrite(order, { timersSet: [timer(order, 'expiry', 9000)] }),
        eventWrite(order, 1),
      ]);
      const before = await readAll(ctx.store, order, ['stale']);
      const stale = eventWrite(order, 1, {
        timersSet: [timer(order, 'new', 1)],
        timersCancelled: ['expiry'],
        outbox: [effect(order, 2, 7)],
        snapshot: { stale: true },
        idempotency: { key: 'stale' },
      });
      expect(await ctx.store.commit([stale])).toEqual([
        { ok: false, code: 'SEQUENCE_CONFLICT', actual: 2 },
      ]);
      expect(await readAll(ctx.store, order, ['stale'])).toEqual(before);
    });

    it('fails an event for a missing instance with SEQUENCE_CONFLICT and actual 0', async () => {
      expect(await ctx.store.commit([eventWrite(order, 1)])).toEqual([
        { ok: false, code: 'SEQUENCE_CONFLICT', actual: 0 },
      ]);
      expect(await readAll(ctx.store, order)).toMatchObject({ instance: undefined, events: [] });
    });
  });

  describe('commit: batches', () => {
    it('returns outcomes in input order and commits only the writes that pass', async () => {
      await ctx.store.commit([createWrite(order)]);
      const outcomes = await ctx.store.commit([
        createWrite(other),
        eventWrite(order, 5),
        createWrite(order),
        eventWrite(order, 1, { type: 'Pay' }),
        auditOnly(order),
      ]);
      expect(outcomes).toEqual([
        OK,
        { ok: false, code: 'SEQUENCE_CONFLICT', actual: 1 },
        { ok: false, code: 'INSTANCE_EXISTS' },
        OK,
        OK,
      ]);
      expect(await ctx.store.getInstance(other)).toMatchObject({ seq: 1 });
      expect((await ctx.store.readEvents(order)).map((e) => e.type)).toEqual([
        'xstate.init',
        'Pay',
      ]);
      expect((await ctx.store.readAudit(order)).map((a) => [a.position, a.outcome])).toEqual([
        [1, 'applied'],
        [2, 'applied'],
        [3, 'rejected_invalid'],
      ]);
    });

    it('lets later writes of a batch see earlier ones: create, then two events in sequence', async () => {
      const outcomes = await ctx.store.commit([
        createWrite(order),
        eventWrite(order, 1),
        eventWrite(order, 2),
        eventWrite(order, 2),
      ]);
      expect(outcomes).toEqual([OK, OK, OK, { ok: false, code: 'SEQUENCE_CONFLICT', actual: 3 }]);
      expect(await ctx.store.getInstance(order)).toMatchObject({ seq: 3 });
    });

    it('commits nothing and returns no outcomes for an empty batch', async () => {
      expect(await ctx.store.commit([])).toEqual([]);
    });

    it('throws STORE_ERROR and keeps nothing of the batch when a write breaks a store constraint', async () => {
      const clash = effect(order, 1, 0);
      const batch = [
        createWrite(order, { outbox: [clash] }),
        createWrite(other, { outbox: [clash] }), // the same effect id twice
      ];
      await expect(ctx.store.commit(batch)).rejects.toMatchObject({ code: 'STORE_ERROR' });
      expect(await readAll(ctx.store, order)).toMatchObject({
        instance: undefined,
        events: [],
        audit: [],
      });
      expect(await readAll(ctx.store, other)).toMatchObject({
        instance: undefined,
        events: [],
        audit: [],
      });
      expect(await ctx.store.commit([createWrite(order)])).toEqual([OK]);
    });
  });

  describe('commit: idempotency', () => {
    it('stores the idempotency row with its write and reads it back by key', async () => {
      const write = createWrite(order, { idempotency: { key: 'k1', result: { id: 'o-1' } } });
      await ctx.store.commit([write]);
      expect(await ctx.store.getIdempotency(order, 'k1')).toEqual(write.idempotency);
      expect(await ctx.store.getIdempotency(order, 'unknown')).toBeUndefined();
    });

    it('fails a write that reuses a key with IDEMPOTENCY_MISMATCH and keeps nothing of it', async () => {
      await ctx.store.commit([createWrite(order, { idempotency: { key: 'k1' } })]);
      const before = await readAll(ctx.store, order, ['k1']);
      const reuse = eventWrite(order, 1, {
        idempotency: { key: 'k1', fingerprint: 'different' },
        outbox: [effect(order, 2, 0)],
        timersSet: [timer(order, 't', 1)],
      });
      expect(await ctx.store.commit([reuse])).toEqual([
        { ok: false, code: 'IDEMPOTENCY_MISMATCH' },
      ]);
      expect(await readAll(ctx.store, order, ['k1'])).toEqual(before);
    });

    it('scopes keys to their instance', async () => {
      const outcomes = await ctx.store.commit([
        createWrite(order, { idempotency: { key: 'same' } }),
        createWrite(other, { idempotency: { key: 'same' } }),
      ]);
      expect(outcomes).toEqual([OK, OK]);
      expect(await ctx.store.getIdempotency(other, 'same')).toMatchObject({ id: 'o-2' });
    });

    it('reports a stale write that also reuses a key as SEQUENCE_CONFLICT (reload, then dedupe)', async () => {
      await ctx.store.commit([
        createWrite(order),
        eventWrite(order, 1, { idempotency: { key: 'k1' } }),
      ]);
      expect(
        await ctx.store.commit([eventWrite(order, 1, { idempotency: { key: 'k1' } })]),
      ).toEqual([{ ok: false, code: 'SEQUENCE_CONFLICT', actual: 2 }]);
      expect(await ctx.store.commit([createWrite(order, { idempotency: { key: 'k1' } })])).toEqual([
        { ok: false, code: 'INSTANCE_EXISTS' },
      ]);
    });
  });
}
