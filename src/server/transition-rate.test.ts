import { describe, expect, it } from 'vitest';
import { harness, ORDERS } from './test-support/harness.js';
import { TransitionRate } from './transition-rate.js';

describe('transitions per minute', () => {
  it('counts the transitions committed in the last 60 s, per machine, and forgets older ones', async () => {
    let now = 1_000_000;
    let listener: ((t: { event: { machine: string } }) => void) | undefined;
    const rate = new TransitionRate(
      {
        onTransition: (l) => {
          listener = l as typeof listener;
          return () => {};
        },
      },
      () => now,
    );
    const commit = (machine: string) => listener?.({ event: { machine } });
    commit('order');
    commit('order');
    commit('checkout');
    expect(rate.perMinute('order')).toBe(2);
    expect(rate.perMinute('checkout')).toBe(1);
    now += 30_000;
    commit('order');
    expect(rate.perMinute('order')).toBe(3);
    now += 31_000;
    expect(rate.perMinute('order')).toBe(1);
    expect(rate.perMinute('checkout')).toBe(0);
    expect(rate.perMinute('nothing')).toBe(0);
  });

  it('is in GET /v1/machines for the inspector overview', async () => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pay' });
    const { machines } = (await (await h.call('GET', '/v1/machines')).json()) as {
      machines: { name: string; transitionsPerMinute: number }[];
    };
    expect(machines.find((m) => m.name === 'order')?.transitionsPerMinute).toBe(2);
    expect(machines.find((m) => m.name === 'checkout')?.transitionsPerMinute).toBe(0);
  });
});
