import { describe, expect, it } from 'vitest';
import type { StateValue } from '../../core/types.js';
import type { CommitWrite, InstanceQuery } from '../types.js';
import { at, createWrite, eventWrite, key } from './builders.js';
import type { ContractContext } from './context.js';

/** listInstances: one machine's instances, filtered by state, status and time in state, paged by id. */
export function describeListInstancesContract(ctx: ContractContext): void {
  const ids = async (query: Omit<InstanceQuery, 'machine'> & { machine?: string }) =>
    (await ctx.store.listInstances({ machine: 'order', ...query })).map((row) => row.id);

  /** Create `order` instances, one per entry: id -> state value. */
  async function create(states: Record<string, StateValue>): Promise<void> {
    const writes = Object.entries(states).map(([id, value]) =>
      createWrite(key('order', id), { value }),
    );
    expect((await ctx.store.commit(writes)).every((o) => o.ok)).toBe(true);
  }

  describe('listInstances', () => {
    it('lists the instances of one machine, ordered by id, rows as stored', async () => {
      const written = [
        createWrite(key('order', 'o-2'), { context: { total: 2 } }),
        createWrite(key('order', 'o-1')),
        createWrite(key('invoice', 'o-3')),
      ];
      await ctx.store.commit(written);
      expect(await ctx.store.listInstances({ machine: 'order' })).toEqual([
        written[1]?.instance,
        written[0]?.instance,
      ]);
      expect(await ctx.store.listInstances({ machine: 'shipment' })).toEqual([]);
    });

    it('filters by state: that state or any substate, never a state that merely starts alike', async () => {
      await create({
        a: 'paid',
        b: { paid: 'packed' },
        c: { paid: { packed: 'boxed' } },
        d: 'paidOut',
        e: 'paid-later',
        f: 'pending',
        g: { paid: 'shipped' },
      });
      expect(await ids({ state: 'paid' })).toEqual(['a', 'b', 'c', 'g']);
      expect(await ids({ state: 'paid.packed' })).toEqual(['b', 'c']);
      expect(await ids({ state: 'paid.packed.boxed' })).toEqual(['c']);
      expect(await ids({ state: 'paidOut' })).toEqual(['d']);
      expect(await ids({ state: 'pai' })).toEqual([]);
      expect(await ids({ state: 'packed' })).toEqual([]);
    });

    it('matches a parallel state when any of its regions is in the state', async () => {
      await create({
        p1: { ship: { parcel: 'packed', invoice: 'sent' } },
        p2: { ship: { parcel: 'lost', invoice: 'draft' } },
        p3: { payment: 'paid', shipping: 'packed' },
        p4: { ship: { parcel: {}, invoice: 'sent' } },
        s1: { ship: 'later' },
      });
      expect(await ids({ state: 'ship' })).toEqual(['p1', 'p2', 'p4', 's1']);
      expect(await ids({ state: 'ship.parcel' })).toEqual(['p1', 'p2', 'p4']);
      expect(await ids({ state: 'ship.parcel.packed' })).toEqual(['p1']);
      expect(await ids({ state: 'ship.invoice.sent' })).toEqual(['p1', 'p4']);
      expect(await ids({ state: 'shipping' })).toEqual(['p3']);
      expect(await ids({ state: 'payment.paid' })).toEqual(['p3']);
      expect(await ids({ state: 'paid' })).toEqual([]);
    });

    it('follows the instance: an instance that left the state no longer matches', async () => {
      const o = key('order', 'o-1');
      await ctx.store.commit([createWrite(o, { value: { paid: 'packed' } })]);
      expect(await ids({ state: 'paid' })).toEqual(['o-1']);
      await ctx.store.commit([eventWrite(o, 1, { value: 'shipped' })]);
      expect(await ids({ state: 'paid' })).toEqual([]);
      expect(await ids({ state: 'shipped' })).toEqual(['o-1']);
    });

    it('filters by status, alone or with a state', async () => {
      await ctx.store.commit([
        createWrite(key('order', 'a'), { value: 'paid' }),
        createWrite(key('order', 'b'), { value: 'paid', status: 'done' }),
        createWrite(key('order', 'c'), { value: 'cancelled', status: 'done' }),
        createWrite(key('order', 'd'), { value: { paid: 'x' }, status: 'error' }),
      ]);
      expect(await ids({ status: 'done' })).toEqual(['b', 'c']);
      expect(await ids({ state: 'paid', status: 'active' })).toEqual(['a']);
      expect(await ids({ state: 'paid', status: 'error' })).toEqual(['d']);
      expect(await ids({ state: 'paid', status: 'stopped' })).toEqual([]);
    });

    it('filters by time in state: entered strictly before the given time', async () => {
      const writes: CommitWrite[] = [10, 20, 30].map((s) =>
        createWrite(key('order', `t${s}`), { value: { paid: 'packed' }, at: at(s) }),
      );
      writes.push(createWrite(key('order', 'other'), { value: 'pending', at: at(1) }));
      await ctx.store.commit(writes);
      expect(await ids({ state: 'paid', enteredBefore: at(20) })).toEqual(['t10']);
      expect(await ids({ state: 'paid', enteredBefore: at(20) + 1 })).toEqual(['t10', 't20']);
      expect(await ids({ enteredBefore: at(15) })).toEqual(['other', 't10']);
    });

    it('pages by id: afterId (exclusive) and limit, with or without filters', async () => {
      await create(
        Object.fromEntries(
          Array.from({ length: 10 }, (_, i) => [`o-${i}`, i % 2 === 0 ? 'paid' : 'open']),
        ),
      );
      expect(await ids({ limit: 3 })).toEqual(['o-0', 'o-1', 'o-2']);
      expect(await ids({ afterId: 'o-2', limit: 3 })).toEqual(['o-3', 'o-4', 'o-5']);
      expect(await ids({ afterId: 'o-9' })).toEqual([]);
      expect(await ids({ state: 'paid', limit: 2 })).toEqual(['o-0', 'o-2']);
      expect(await ids({ state: 'paid', afterId: 'o-2', limit: 2 })).toEqual(['o-4', 'o-6']);
      expect(await ids({ limit: 0 })).toEqual([]);
    });

    it('filters by id prefix (a range over the id index), with paging and other filters', async () => {
      await create({
        'eu-1': 'paid',
        'eu-2': 'open',
        'eu-10': 'paid',
        'eu~x': 'open',
        eu: 'open',
        'ev-1': 'paid',
        'e-1': 'paid',
        'us-1': 'paid',
      });
      expect(await ids({ idPrefix: 'eu' })).toEqual(['eu', 'eu-1', 'eu-10', 'eu-2', 'eu~x']);
      expect(await ids({ idPrefix: 'eu-1' })).toEqual(['eu-1', 'eu-10']);
      expect(await ids({ idPrefix: 'eu', state: 'paid' })).toEqual(['eu-1', 'eu-10']);
      expect(await ids({ idPrefix: 'eu', afterId: 'eu-10', limit: 2 })).toEqual(['eu-2', 'eu~x']);
      expect(await ids({ idPrefix: 'x' })).toEqual([]);
    });

    it('returns 100 instances by default and never more than 1000 at once', async () => {
      const all = Array.from({ length: 1005 }, (_, i) => `o-${String(i).padStart(4, '0')}`);
      for (let i = 0; i < all.length; i += 250) {
        await create(Object.fromEntries(all.slice(i, i + 250).map((id) => [id, 'open'])));
      }
      expect(await ids({})).toEqual(all.slice(0, 100));
      const big = await ids({ limit: 5000 });
      expect(big).toHaveLength(1000);
      expect(big.at(-1)).toBe('o-0999');
      expect(await ids({ state: 'open', afterId: 'o-0999', limit: 5000 })).toEqual(all.slice(1000));
    });

    it('rejects a query without a machine, a bad state or a bad limit with VALIDATION_FAILED', async () => {
      const bad: InstanceQuery[] = [
        { machine: '' },
        { machine: 'order', state: '' },
        { machine: 'order', state: 'a,b' },
        { machine: 'order', limit: -1 },
        { machine: 'order', limit: 2.5 },
        { machine: 'order', idPrefix: '' },
      ];
      for (const query of bad) {
        await expect(ctx.store.listInstances(query)).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
      }
    });
  });
}
