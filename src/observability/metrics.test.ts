import { afterEach, describe, expect, it } from 'vitest';
import { emit, setup } from 'xstate';
import { createTestEngine, type TestEngine } from '../testing/test-engine.js';
import { type AttachedMetrics, attachMetrics } from './observe-metrics.js';
import { shopMachine } from './test-support/shop-machine.js';

let t: TestEngine;
let m: AttachedMetrics;
afterEach(async () => {
  await m?.stop();
  await t?.close();
});

async function start(fakes: Parameters<typeof createTestEngine>[0]['fakes'] = {}) {
  t = await createTestEngine({
    machines: [shopMachine],
    fakes,
    activities: { charge: { maxAttempts: 3, initialDelayMs: 1000 } },
  });
  m = attachMetrics(t.engine, t.store, { now: () => t.clock.now(), refreshMs: 3_600_000 });
}

/** The value of one series of a metric, by its labels (0 when absent). */
async function value(
  metric: { get(): Promise<{ values: { labels: object; value: number; metricName?: string }[] }> },
  labels: object,
  name?: string,
) {
  const { values } = await metric.get();
  const found = values.find(
    (v) =>
      (name === undefined || v.metricName === name) &&
      Object.entries(labels).every(([k, x]) => (v.labels as Record<string, unknown>)[k] === x),
  );
  return found?.value ?? 0;
}

describe('metrics from inspection events', () => {
  it('observes time in a state when an instance leaves it, from the recorded times', async () => {
    await start();
    await t.engine.create('shop', 's1');
    await t.advanceBy('10s');
    await t.engine.send('shop', 's1', { type: 'Pay' });
    const h = m.metrics.stateDuration;
    const bucket = (le: number) =>
      value(h, { machine: 'shop', state: 'pending', le }, 'stator_state_duration_seconds_bucket');
    // 10 s: above the 6.4 s bucket, inside 25.6 s (0.1 s by a factor of 4).
    expect(await bucket(6.4)).toBe(0);
    expect(await bucket(25.6)).toBe(1);
    expect(
      await value(h, { machine: 'shop', state: 'pending' }, 'stator_state_duration_seconds_sum'),
    ).toBe(10);
    // The buckets span about a week: 12 of them, the last 0.1 * 4^11 s.
    const { values } = await h.get();
    const les = values
      .filter((v) => v.metricName?.endsWith('_bucket'))
      .map((v) => (v.labels as Record<string, unknown>).le);
    expect(les.slice(0, 13)).toEqual([
      0.1,
      0.4,
      1.6,
      6.4,
      25.6,
      102.4,
      409.6,
      1638.4,
      6553.6,
      26214.4,
      104857.6,
      419430.4,
      '+Inf',
    ]);
  });

  it('counts transitions by machine, event and outcome', async () => {
    await start();
    await t.engine.create('shop', 's1');
    await expect(t.engine.send('shop', 's1', { type: 'Ship' })).rejects.toMatchObject({
      code: 'EVENT_NOT_ACCEPTED',
    });
    await t.engine.send('shop', 's1', { type: 'Pay' });
    await t.settle();
    const c = m.metrics.transitions;
    expect(await value(c, { machine: 'shop', event: 'xstate.init', outcome: 'applied' })).toBe(1);
    expect(await value(c, { machine: 'shop', event: 'Pay', outcome: 'applied' })).toBe(1);
    expect(await value(c, { machine: 'shop', event: 'Ship', outcome: 'rejected_invalid' })).toBe(1);
  });

  it('timers: fired and their lateness', async () => {
    await start();
    await t.engine.create('shop', 's1');
    await t.advanceBy('1h');
    expect(await value(m.metrics.timersFired, { machine: 'shop' })).toBe(1);
    expect(
      await value(
        m.metrics.timerLateness,
        { machine: 'shop' },
        'stator_timer_lateness_seconds_count',
      ),
    ).toBe(1);
    expect((await t.engine.get('shop', 's1')).value).toBe('expired');
  });

  it('effects: attempts and failures per activity and action', async () => {
    await start({ charge: { failOn: [1] } });
    await t.engine.create('shop', 's1');
    await t.engine.send('shop', 's1', { type: 'Pay' });
    await t.advanceBy('10s');
    expect((await t.engine.get('shop', 's1')).value).toBe('paid');
    const activity = { machine: 'shop', kind: 'activity', name: 'charge' };
    expect(await value(m.metrics.effectAttempts, activity)).toBe(2);
    expect(await value(m.metrics.effectFailures, activity)).toBe(1);
    expect(
      await value(m.metrics.effectAttempts, { machine: 'shop', kind: 'action', name: 'notify' }),
    ).toBe(1);
  });

  it('store gauges: instances per state and status, the oldest active one, pending timers', async () => {
    await start();
    await t.engine.create('shop', 'a');
    await t.advanceBy('5m');
    await t.engine.create('shop', 'b');
    await t.engine.create('shop', 'c');
    await t.engine.send('shop', 'c', { type: 'Pay' });
    await t.settle();
    await t.engine.send('shop', 'c', { type: 'Ship' });
    await t.advanceBy('1m');
    await m.refresh();
    expect(
      await value(m.metrics.instances, { machine: 'shop', state: 'pending', status: 'active' }),
    ).toBe(2);
    expect(
      await value(m.metrics.instances, { machine: 'shop', state: 'shipped', status: 'done' }),
    ).toBe(1);
    expect(await value(m.metrics.oldestInState, { machine: 'shop', state: 'pending' })).toBe(360);
    // A finished instance is not waiting: no age for its final state.
    const { values } = await m.metrics.oldestInState.get();
    expect(values.map((v) => v.labels.state)).toEqual(['pending']);
    expect(await value(m.metrics.timersPending, { machine: 'shop' })).toBe(2);
    // When the pending instances leave, their series go with the next refresh.
    await t.advanceBy('1h');
    await m.refresh();
    expect(
      await value(m.metrics.instances, { machine: 'shop', state: 'pending', status: 'active' }),
    ).toBe(0);
    expect((await m.metrics.oldestInState.get()).values).toEqual([]);
    expect(await value(m.metrics.timersPending, { machine: 'shop' })).toBe(0);
  });

  it("store gauges: each named subscriber's emit backlog, what it has yet to handle", async () => {
    const news = setup({}).createMachine({
      id: 'news',
      on: { Post: { actions: emit({ type: 'posted' }) } },
    });
    t = await createTestEngine({ machines: [news] });
    m = attachMetrics(t.engine, t.store, { refreshMs: 3_600_000 });
    await t.engine.create('news', 'n1');
    for (let i = 0; i < 3; i++) await t.engine.send('news', 'n1', { type: 'Post' });
    await t.engine.setEmitCursor('mailer', 1);
    await t.engine.setEmitCursor('audit', 3);
    await m.refresh();
    expect(await value(m.metrics.emitBacklog, { subscriber: 'mailer' })).toBe(2);
    expect((await m.metrics.emitBacklog.get()).values).toContainEqual({
      labels: { subscriber: 'audit' },
      value: 0,
    });
    // A subscriber that catches up shows it with the next refresh.
    const handled: number[] = [];
    t.engine.subscribe('mailer', (e) => {
      handled.push(e.position);
    });
    await t.settle();
    expect(handled).toEqual([2, 3]);
    await m.refresh();
    expect(await value(m.metrics.emitBacklog, { subscriber: 'mailer' })).toBe(0);
  });

  it('bounds the event label: types past the limit count as _other', async () => {
    t = await createTestEngine({ machines: [shopMachine] });
    m = attachMetrics(t.engine, t.store, { maxEventTypes: 2, refreshMs: 3_600_000 });
    await t.engine.create('shop', 's1');
    for (const type of ['A', 'B', 'C']) {
      await t.engine.send('shop', 's1', { type }).catch(() => {});
    }
    const c = m.metrics.transitions;
    expect(await value(c, { event: 'A', outcome: 'rejected_invalid' })).toBe(1);
    expect(await value(c, { event: '_other', outcome: 'rejected_invalid' })).toBe(2);
  });

  it('renders the Prometheus text format with the series the issue names', async () => {
    await start();
    await t.engine.create('shop', 's1');
    await m.refresh();
    const text = await m.registry.metrics();
    for (const name of [
      'stator_state_duration_seconds',
      'stator_transitions_total',
      'stator_instances',
      'stator_oldest_in_state_seconds',
      'stator_timers_pending',
      'stator_timer_lateness_seconds',
      'stator_outbox_pending',
      'stator_effect_attempts_total',
      'stator_effect_failures_total',
      'stator_dead_letters',
      'stator_emit_subscriber_lag_seconds',
      'stator_emit_subscriber_backlog',
      'stator_commit_batch_size',
      'stator_commit_duration_seconds',
      'stator_shadow_divergences_total',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/stator_commit_batch_size_count [1-9]/);
  });
});
