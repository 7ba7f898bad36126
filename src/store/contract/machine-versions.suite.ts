import { describe, expect, it } from 'vitest';
import { createWrite, eventWrite, key } from './builders.js';
import type { ContractContext } from './context.js';

/** Machine versions: stored once, replaced only on request; live counts by version and state. */
export function describeMachineVersionContract(ctx: ContractContext): void {
  const row = (version: string, fingerprint: string, registeredAt: number) => ({
    machine: 'order',
    version,
    fingerprint,
    description: { chart: { states: ['pending'] }, code: { 'guard:g': 'abc' } },
    registeredAt,
  });

  describe('machine versions', () => {
    it('stores a version once: a second put keeps the first, unless told to replace it', async () => {
      expect(await ctx.store.getMachineVersion('order', '1')).toBeUndefined();
      await ctx.store.putMachineVersion(row('1', 'sha256:a', 10));
      await ctx.store.putMachineVersion(row('1', 'sha256:b', 20));
      expect(await ctx.store.getMachineVersion('order', '1')).toEqual(row('1', 'sha256:a', 10));
      await ctx.store.putMachineVersion(row('1', 'sha256:c', 30), { replace: true });
      // Replacing keeps when it was first registered.
      expect(await ctx.store.getMachineVersion('order', '1')).toEqual(row('1', 'sha256:c', 10));
    });

    it('lists versions by machine and registration time', async () => {
      await ctx.store.putMachineVersion(row('2', 'sha256:b', 20));
      await ctx.store.putMachineVersion(row('1', 'sha256:a', 10));
      await ctx.store.putMachineVersion({ ...row('1', 'sha256:z', 5), machine: 'cart' });
      expect((await ctx.store.listMachineVersions('order')).map((v) => v.version)).toEqual([
        '1',
        '2',
      ]);
      expect(
        (await ctx.store.listMachineVersions()).map((v) => `${v.machine}@${v.version}`),
      ).toEqual(['cart@1', 'order@1', 'order@2']);
    });

    it('counts live instances by version and state key, leaving out finished ones', async () => {
      const writes = [
        createWrite(key('order', 'a'), { value: 'pending' }),
        createWrite(key('order', 'b'), { value: 'pending' }),
        createWrite(key('order', 'c'), { value: { paid: 'packed' } }),
        createWrite(key('order', 'd'), { value: 'done', status: 'done' }),
        createWrite(key('cart', 'e'), { value: 'pending' }),
      ];
      await ctx.store.commit(writes);
      const v2 = eventWrite(key('order', 'b'), 1, { value: 'pending' });
      await ctx.store.commit([{ ...v2, instance: { ...v2.instance, version: '2' } }]);
      expect(await ctx.store.countLive('order')).toEqual([
        { version: '1', stateKey: 'paid.packed', count: 1 },
        { version: '1', stateKey: 'pending', count: 1 },
        { version: '2', stateKey: 'pending', count: 1 },
      ]);
      expect(
        (await ctx.store.listInstances({ machine: 'order', version: '2' })).map((i) => i.id),
      ).toEqual(['b']);
      expect(
        (await ctx.store.listInstances({ machine: 'order', version: '1', state: 'pending' })).map(
          (i) => i.id,
        ),
      ).toEqual(['a']);
    });
  });
}
