import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/types.js';
import { createEngine } from '../engine.js';
import type { Engine, EngineOptions, ShadowDivergence } from '../types.js';
import {
  subscriptionV1,
  subscriptionV1Compatible,
  subscriptionV2,
  v1ToV2,
} from './test-support/subscription.js';

const v1 = { machine: subscriptionV1, version: '1' };
const compatible = { machine: subscriptionV1Compatible, version: '1.1' };
const v2 = { machine: subscriptionV2, version: '2' };

describe('shadow runs', () => {
  let dir: string;
  let clock: number;
  const engines: Engine[] = [];
  const start = async (options: Omit<EngineOptions, 'store' | 'clock' | 'dispatch'>) => {
    const store: Store = sqliteStore({ path: join(dir, 'stator.db') });
    const e = await createEngine({
      store,
      clock: { now: () => clock },
      dispatch: 'manual',
      ...options,
    });
    engines.push(e);
    return e;
  };
  const stopAll = async () => {
    for (const e of engines.splice(0)) await e.close();
  };
  const fresh = () => {
    dir = mkdtempSync(join(tmpdir(), 'stator-shadow-'));
    clock = Date.UTC(2026, 0, 1);
  };
  afterEach(async () => {
    await stopAll();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Ten instances on version 1: four paused once, three paused and resumed, three untouched. */
  const history = async (e: Engine) => {
    for (let i = 0; i < 10; i++) {
      const id = `s${i}`;
      await e.create('subscription', id);
      clock += 1000;
      if (i < 7) await e.send('subscription', id, { type: 'Pause' });
      if (i >= 4 && i < 7) await e.send('subscription', id, { type: 'Resume' });
    }
  };

  it('offline: a compatible change replays every history identically', async () => {
    fresh();
    const e = await start({ machines: [v1, compatible], rollout: { subscription: { '1': 1 } } });
    await history(e);
    const report = await e.shadow('subscription', '1.1');
    expect(report).toEqual({
      machine: 'subscription',
      candidate: '1.1',
      examined: 10,
      identical: 10,
      divergences: [],
    });
  });

  it('offline: an incompatible change is found at the first event it handles differently', async () => {
    fresh();
    const e = await start({ machines: [v1, v2], rollout: { subscription: { '1': 1 } } });
    await history(e);
    const report = await e.shadow('subscription', '2');
    expect(report.examined).toBe(10);
    expect(report.identical).toBe(3);
    expect(report.divergences).toHaveLength(7);
    expect(report.divergences[0]).toMatchObject({
      id: 's0',
      seq: 2,
      eventType: 'Pause',
      reason: 'state paused ≠ onHold',
      expected: { state: 'paused' },
      actual: { state: 'onHold' },
    });
    const sampled = await e.shadow('subscription', '2', { sample: 2 });
    expect(sampled.examined).toBe(2);
    const one = await e.shadow('subscription', '2', { ids: ['s9'] });
    expect(one).toMatchObject({ examined: 1, identical: 1 });
  });

  it('offline: a migrated instance is compared from its migration on', async () => {
    fresh();
    const e = await start({
      machines: [v1, v2, { machine: subscriptionV2, version: '3' }],
      rollout: { subscription: { '1': 1 } },
      migrations: [v1ToV2],
    });
    await e.create('subscription', 'm');
    await e.send('subscription', 'm', { type: 'Pause' });
    await e.migrate('subscription', 'm', { to: '2' });
    await e.send('subscription', 'm', { type: 'Resume' });
    // Version 3 is version 2 under another name: before the migration it would differ from 1.
    expect(await e.shadow('subscription', '3')).toMatchObject({ examined: 1, identical: 1 });
    // Instances already on the candidate are not examined.
    expect(await e.shadow('subscription', '2')).toMatchObject({ examined: 0 });
  });

  it('live: compares each committed event off the commit path; none diverge on a compatible change', async () => {
    fresh();
    const e = await start({ machines: [v1, compatible], shadow: { subscription: '1.1' } });
    const diverged: unknown[] = [];
    e.inspect((event) => diverged.push(event), ['shadow.diverged']);
    await history(e);
    // A shadow candidate gets no new instances.
    expect(await e.get('subscription', 's0')).toMatchObject({ version: '1' });
    await vi.waitFor(() => expect(e.shadowStats()[0]?.compared).toBe(10 + 7 + 3));
    expect(e.shadowStats()).toEqual([
      { machine: 'subscription', candidate: '1.1', compared: 20, diverged: 0, skipped: 0 },
    ]);
    expect(diverged).toEqual([]);
  });

  it('live: announces a divergence once per instance, and rebuilds instances it has not seen from history', async () => {
    fresh();
    const before = await start({ machines: [v1] });
    await before.create('subscription', 'old');
    await before.send('subscription', 'old', { type: 'Pause' });
    await stopAll();

    const logs: string[] = [];
    const e = await start({
      machines: [v1, v2],
      shadow: { subscription: '2' },
      log: (message) => logs.push(message),
    });
    const found: ShadowDivergence[] = [];
    e.inspect(
      (event) => {
        if (event.type === 'shadow.diverged') found.push(event.divergence);
      },
      ['shadow.diverged'],
    );
    await e.create('subscription', 'new');
    await e.send('subscription', 'new', { type: 'Pause' });
    await e.send('subscription', 'new', { type: 'Resume' });
    await e.send('subscription', 'new', { type: 'Pause' });
    // The instance created before the shadow run: its history is replayed at its next event.
    await e.send('subscription', 'old', { type: 'Resume' });
    await vi.waitFor(() => expect(e.shadowStats()[0]?.diverged).toBe(2));
    expect(found.map((d) => [d.id, d.seq, d.eventType])).toEqual([
      ['new', 2, 'Pause'],
      ['old', 2, 'Pause'],
    ]);
    expect(logs.filter((l) => l.startsWith('Shadow run'))).toHaveLength(2);
    expect(logs[0]).toContain(
      'subscription/new behaves differently on version 2 than on 1 at event 2 (Pause)',
    );
  });

  it('refuses a shadow option naming what is not registered', async () => {
    fresh();
    await expect(start({ machines: [v1], shadow: { subscription: '2' } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('register the candidate beside the version in use'),
    });
    await expect(start({ machines: [v1], shadow: { subscription: '1' } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('its only registered version'),
    });
    await expect(start({ machines: [v1], shadow: { nope: '1' } })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });
});
