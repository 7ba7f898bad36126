/**
 * Machine versions on one store kind, as executable specifications: run by
 * versioning.test.ts (memory, SQLite) and versioning.int.test.ts (PostgreSQL).
 */
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import type { StatorError } from '../../../core/errors.js';
import type { Store } from '../../../store/types.js';
import { createEngine } from '../../engine.js';
import type { Engine, EngineOptions } from '../../types.js';
import { bucket } from '../rollout.js';
import {
  bothVersions,
  subscriptionV1,
  subscriptionV1Compatible,
  subscriptionV2,
  v1ToV2,
} from './subscription.js';

export interface VersionedStores {
  /** A store over the same data each time (persistent adapters), or the one store (memory). */
  readonly open: () => Store;
  /** An open store over the same data, to read rows beside a running engine; close it after. */
  readonly reader: () => Promise<{ store: Store; close: () => Promise<void> }>;
  /** Whether data outlives engine.close() (false for memory). */
  readonly persistent: boolean;
  readonly cleanup: () => Promise<void> | void;
}

async function failure(promise: Promise<unknown>): Promise<StatorError> {
  try {
    await promise;
  } catch (error) {
    return error as StatorError;
  }
  throw new Error('expected a rejection');
}

export function describeVersioning(name: string, make: () => Promise<VersionedStores>): void {
  describe(`machine versions on ${name}`, () => {
    let stores: VersionedStores;
    let clock = Date.UTC(2026, 0, 1);
    const open: Engine[] = [];
    const engine = async (options: Omit<EngineOptions, 'store'>): Promise<Engine> => {
      const e = await createEngine({
        store: stores.open(),
        clock: { now: () => clock },
        dispatch: 'manual',
        ...options,
      });
      open.push(e);
      return e;
    };
    const restart = async () => {
      for (const e of open.splice(0)) await e.close();
    };
    const setup = async () => {
      stores = await make();
      clock = Date.UTC(2026, 0, 1);
    };
    afterEach(async () => {
      await restart();
      await stores.cleanup();
    });

    it('starts new instances on the newest version; existing ones keep theirs', async () => {
      await setup();
      if (stores.persistent) {
        const v1 = await engine({ machines: [{ machine: subscriptionV1, version: '1' }] });
        await v1.create('subscription', 's1');
        await restart();
      }
      const e = await engine({
        machines: bothVersions,
        ...(!stores.persistent && { rollout: { subscription: { '2': 0 } } }),
      });
      if (!stores.persistent) await e.create('subscription', 's1');
      expect(await e.get('subscription', 's1')).toMatchObject({ version: '1' });
      if (!stores.persistent) return;
      expect(await e.create('subscription', 's2')).toMatchObject({ version: '2' });
      expect(await e.send('subscription', 's1', { type: 'Pause' })).toMatchObject({
        value: 'paused',
      });
      expect(await e.send('subscription', 's2', { type: 'Pause' })).toMatchObject({
        value: 'onHold',
      });
      const versions = await e.versions('subscription');
      expect(versions.map((v) => [v.version, v.live.total, v.retirable, v.latest])).toEqual([
        ['1', 1, false, false],
        ['2', 1, false, true],
      ]);
      expect(versions[0]?.live.states).toEqual({ paused: 1 });
    });

    it('refuses a changed definition under a known version with VERSION_CHANGED, saying what changed', async () => {
      await setup();
      if (!stores.persistent) return;
      const first = await engine({ machines: [{ machine: subscriptionV1, version: '1' }] });
      await first.create('subscription', 's1');
      await restart();
      const error = await failure(
        engine({ machines: [{ machine: subscriptionV2, version: '1' }] }),
      );
      expect(error.code).toBe('VERSION_CHANGED');
      expect(error.message).toMatch(/state paused is gone; it looks renamed to onHold/);
      expect(error.message).toMatch(/\[risky, 1 live\] Pause from active now goes to onHold/);
      expect(error.message).toMatch(/Register the new definition as a new version/);
      expect(error.message).toMatch(/Declaring it compatible is refused/);
      // compatible: true does not pass a change that is risky for live instances.
      const again = await failure(
        engine({ machines: [{ machine: subscriptionV2, version: '1', compatible: true }] }),
      );
      expect(again.code).toBe('VERSION_CHANGED');
    });

    it('accepts a changed definition declared compatible when it harms no live instance', async () => {
      await setup();
      if (!stores.persistent) return;
      const first = await engine({ machines: [{ machine: subscriptionV1, version: '1' }] });
      await first.create('subscription', 's1');
      const before = (await first.versions('subscription'))[0]?.fingerprint;
      await restart();
      const logged: string[] = [];
      const e = await engine({
        machines: [{ machine: subscriptionV1Compatible, version: '1', compatible: true }],
        log: (message) => logged.push(message),
      });
      const after = (await e.versions('subscription'))[0]?.fingerprint;
      expect(after).not.toBe(before);
      expect(logged.join('\n')).toMatch(/declared compatible: .*terminal state refunded added/);
      expect(await e.send('subscription', 's1', { type: 'Refund' })).toMatchObject({
        value: 'refunded',
      });
      await restart();
      // The accepted definition is the one stored now: it starts without the flag.
      await engine({ machines: [{ machine: subscriptionV1Compatible, version: '1' }] });
    });

    it('refuses to start without a version that live instances still run (VERSION_IN_USE)', async () => {
      await setup();
      if (!stores.persistent) return;
      const first = await engine({ machines: [{ machine: subscriptionV1, version: '1' }] });
      await first.create('subscription', 's1');
      await first.create('subscription', 's2');
      await restart();
      const error = await failure(
        engine({ machines: [{ machine: subscriptionV2, version: '2' }] }),
      );
      expect(error.code).toBe('VERSION_IN_USE');
      expect(error.message).toMatch(/version "1" still has 2 live instances/);
    });

    it('migrates an instance: mapped state, transformed context, timers moved, one event in its history', async () => {
      await setup();
      const e = await engine({
        machines: bothVersions,
        migrations: [v1ToV2],
        rollout: { subscription: { '2': 0 } },
      });
      await e.create('subscription', 's1');
      await e.send('subscription', 's1', { type: 'Pause' });
      const { store, close } = await stores.reader();
      onTestFinished(close);
      expect(
        (await store.listTimers({ machine: 'subscription', id: 's1' })).map((t) => t.timerId),
      ).toEqual(['xstate.after.grace.subscription.paused']);
      clock += 1000;
      const dry = await e.migrate('subscription', 's1', { to: '2', dryRun: true });
      expect(dry).toMatchObject({ migrated: false, value: 'onHold', version: '2' });
      expect((await e.get('subscription', 's1')).version).toBe('1');
      const moved = await e.migrate('subscription', 's1', { to: '2' });
      expect(moved).toMatchObject({
        migrated: true,
        from: '1',
        version: '2',
        value: 'onHold',
        seq: 3,
        context: { pauses: 1, note: 'migrated to v2' },
      });
      expect(moved.effects).toEqual([
        { kind: 'timer.cancel', id: 'xstate.after.grace.subscription.paused' },
        { kind: 'timer.set', id: 'xstate.after.grace.subscription.onHold' },
      ]);
      expect(await store.listTimers({ machine: 'subscription', id: 's1' })).toMatchObject([
        { timerId: 'xstate.after.grace.subscription.onHold', dueAt: clock + 120_000 },
      ]);
      const { events } = await e.history('subscription', 's1');
      expect(events.at(-1)).toMatchObject({
        type: 'stator.migrated',
        payload: { from: '1', to: '2', mapping: { paused: 'onHold' }, value: 'onHold' },
      });
      const { entries } = await e.audit('subscription', 's1');
      expect(entries.at(-1)).toMatchObject({
        eventType: 'stator.migrated',
        from: 'paused',
        to: 'onHold',
      });
      // Again: nothing to do.
      expect(await e.migrate('subscription', 's1', { to: '2' })).toMatchObject({
        migrated: false,
        seq: 3,
      });
      expect(await e.replay('subscription', 's1')).toMatchObject({ value: 'onHold', seq: 3 });
      expect(await e.send('subscription', 's1', { type: 'Resume' })).toMatchObject({
        value: 'active',
      });
    });

    it('rebuilds a migrated instance from its events alone, after a restart', async () => {
      await setup();
      if (!stores.persistent) return;
      const options = {
        machines: bothVersions,
        migrations: [v1ToV2],
        rollout: { subscription: { '2': 0 } },
        snapshot: { every: 0 },
      };
      const e = await engine(options);
      await e.create('subscription', 's1');
      await e.send('subscription', 's1', { type: 'Pause' });
      await e.migrate('subscription', 's1', { to: '2' });
      await e.send('subscription', 's1', { type: 'Resume' });
      const stored = await e.get('subscription', 's1');
      await restart();
      const again = await engine(options);
      // replay() ignores snapshots: v1 for the first events, then the migration, then v2.
      expect(await again.replay('subscription', 's1')).toEqual({
        value: stored.value,
        context: stored.context,
        status: stored.status,
        seq: stored.seq,
      });
      expect(await again.send('subscription', 's1', { type: 'Upgrade' })).toMatchObject({
        version: '2',
        context: { plan: 'pro', note: 'migrated to v2' },
      });
    });

    it('leaves an instance whose state has no mapping on its version, and says which', async () => {
      await setup();
      const e = await engine({ machines: bothVersions, rollout: { subscription: { '2': 0 } } });
      await e.create('subscription', 's1');
      await e.send('subscription', 's1', { type: 'Pause' });
      const error = await failure(e.migrate('subscription', 's1', { to: '2' }));
      expect(error.code).toBe('MIGRATION_NOT_POSSIBLE');
      expect(error.message).toMatch(/has no state paused/);
      expect(await e.get('subscription', 's1')).toMatchObject({ version: '1', seq: 2 });
      // An instance in a state both versions have moves without a mapping.
      await e.create('subscription', 's2');
      expect(await e.migrate('subscription', 's2', { to: '2' })).toMatchObject({
        value: 'active',
        version: '2',
      });
    });

    it('rolls a share of new instances out to a version, by a stable hash of the id', async () => {
      await setup();
      const rollout = { subscription: { '2': 0.3 } };
      const e = await engine({ machines: bothVersions, rollout });
      const ids = Array.from({ length: 120 }, (_, i) => `r${i}`);
      const versions = new Map<string, string>();
      for (const id of ids) versions.set(id, (await e.create('subscription', id)).version);
      for (const id of ids) {
        expect(versions.get(id)).toBe(bucket('subscription', id) < 0.3 ? '2' : '1');
      }
      const onTwo = [...versions.values()].filter((v) => v === '2').length;
      expect(onTwo).toBeGreaterThan(15);
      expect(onTwo).toBeLessThan(60);
      if (!stores.persistent) return;
      await restart();
      // A new share moves only new instances.
      const later = await engine({ machines: bothVersions, rollout: { subscription: { '2': 1 } } });
      for (const id of ids.slice(0, 20)) {
        expect((await later.get('subscription', id)).version).toBe(versions.get(id));
      }
      expect((await later.create('subscription', 'new-1')).version).toBe('2');
    });
  });
}
