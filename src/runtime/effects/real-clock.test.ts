/** Effects on the real clock with automatic dispatch: lease renewal of running activities, timer claims ahead of time. */
import { afterEach, describe, expect, it } from 'vitest';
import { fromPromise, setup } from 'xstate';
import { memoryStore } from '../../store/memory/memory-store.js';
import type { Lease, Store } from '../../store/types.js';
import { createEngine } from '../engine.js';
import type { Engine } from '../types.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An activity that runs for 1.3 s, several times the 300 ms lease of the engines below. */
function slowMachine(record: { runs: number; aborts: string[] }) {
  return setup({
    actors: {
      slow: fromPromise(async ({ signal }) => {
        record.runs++;
        for (let waited = 0; waited < 1300; waited += 50) {
          if (signal.aborted) {
            record.aborts.push((signal.reason as Error).name);
            throw signal.reason;
          }
          await sleep(50);
        }
        return 'ok';
      }),
    },
  }).createMachine({
    id: 'slow',
    initial: 'working',
    states: { working: { invoke: { src: 'slow', onDone: 'done' } }, done: { type: 'final' } },
  });
}

async function until(check: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(25);
  }
}

let engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines) await e.close();
  engines = [];
});

async function pair(store: Store, record: { runs: number; aborts: string[] }) {
  const machine = slowMachine(record);
  engines = [
    await createEngine({ store, machines: [machine], leaseMs: 300, owner: 'a' }),
    await createEngine({ store, machines: [machine], leaseMs: 300, owner: 'b' }),
  ];
  return engines as [Engine, Engine];
}

describe('activity lease renewal', () => {
  it('keeps the lease of an activity running longer than leaseMs: no other process can claim it', async () => {
    const record = { runs: 0, aborts: [] as string[] };
    const store = memoryStore();
    const [a] = await pair(store, record);
    await a.create('slow', 's1');
    await sleep(700); // the 300 ms lease would have ended twice over without renewal
    const now = Date.now();
    const intruder = { owner: 'intruder', now, until: now + 300, limit: 10 };
    expect(await store.claimOutbox(intruder)).toEqual([]);
    await until(async () => (await a.get('slow', 's1')).status === 'done', 8000);
    expect(record).toEqual({ runs: 1, aborts: [] });
  });

  it('aborts the activity when its lease passed to another process, which then runs it', async () => {
    const record = { runs: 0, aborts: [] as string[] };
    const store = memoryStore();
    const renew = store.renewOutboxLease.bind(store);
    // The first renewal finds the lease gone, as after a stall longer than the lease.
    let stalled = true;
    store.renewOutboxLease = async (effectId, owner, at) => {
      if (!stalled) return renew(effectId, owner, at);
      stalled = false;
      return false;
    };
    const [a] = await pair(store, record);
    await a.create('slow', 's1');
    await until(async () => (await a.get('slow', 's1')).status === 'done', 8000);
    expect(record.aborts).toEqual(['LeaseLost']);
    expect(record.runs).toBe(2);
    expect((await a.history('slow', 's1')).events.map((e) => e.type)).toEqual([
      'xstate.init',
      expect.stringMatching(/^xstate\.done\.actor\./),
    ]);
  });
});

/** A machine whose one timer moves it from armed to rang after `ms`. */
const alarmAfter = (ms: number) =>
  setup({}).createMachine({
    id: 'alarm',
    initial: 'armed',
    states: { armed: { after: { [ms]: 'rang' } }, rang: {} },
  });

describe('timer claims', () => {
  it('claims a timer before it is due, so the claim never delays its firing', async () => {
    const store = memoryStore();
    const claim = store.claimDueTimers.bind(store);
    const claimedAt = new Map<string, number>();
    store.claimDueTimers = async (lease) => {
      const calledAt = Date.now();
      const rows = await claim(lease);
      for (const row of rows) claimedAt.set(`${row.id}/${row.dueAt}`, calledAt);
      return rows;
    };
    const alarm = alarmAfter(300);
    const engine = await createEngine({ store, machines: [alarm] });
    engines = [engine];
    const created = await engine.create('alarm', 'a1');
    const due = created.createdAt + 300;
    await until(async () => (await engine.get('alarm', 'a1')).value === 'rang', 5000);
    expect(claimedAt.get(`a1/${due}`)).toBeLessThan(due);
  });

  it('fires the timers a crashed process had claimed once their short timer lease ends', async () => {
    const store = memoryStore();
    const alarm = alarmAfter(100);
    // Process a claims the due timer and dies before firing it: its first claim that
    // gets rows returns nothing, and it claims nothing after (a dead process).
    let died = false;
    const crashed = new Proxy(store, {
      get(target, prop) {
        if (prop === 'claimDueTimers')
          return async (lease: Lease) => {
            if (died) return [];
            died = (await target.claimDueTimers(lease)).length > 0;
            return [];
          };
        if (prop === 'close') return async () => {};
        const value = Reflect.get(target, prop, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const leases = { leaseMs: 30_000, timerLeaseMs: 300 };
    const a = await createEngine({ store: crashed, machines: [alarm], owner: 'a', ...leases });
    engines = [a];
    await a.create('alarm', 'a1');
    await until(async () => died, 2000);
    // Process b takes over after the timer lease (300 ms) and a poll, not the 30 s effect lease.
    const b = await createEngine({ store, machines: [alarm], owner: 'b', ...leases });
    engines.push(b);
    const start = Date.now();
    await until(async () => (await b.get('alarm', 'a1')).value === 'rang', 8000);
    expect(Date.now() - start).toBeLessThan(300 + 1_000 + 500);
  });

  it('fires a timer it claims again (its lease ran out before it fired) only once', async () => {
    const store = memoryStore();
    const fired: string[] = [];
    const commit = store.commit.bind(store);
    store.commit = async (writes) => {
      for (const w of writes)
        if (w.kind !== 'outbox-done' && w.firedTimer) fired.push(w.firedTimer.timerId);
      return commit(writes);
    };
    // A lease that ends at once: every claim finds the timers already held here again.
    const claim = store.claimDueTimers.bind(store);
    store.claimDueTimers = async (lease) => {
      const first = await claim({ ...lease, until: lease.now });
      const again = await claim({ ...lease, until: lease.now });
      return [...first, ...again];
    };
    const alarm = alarmAfter(100);
    const engine = await createEngine({ store, machines: [alarm] });
    engines = [engine];
    await engine.create('alarm', 'a1');
    await until(async () => (await engine.get('alarm', 'a1')).value === 'rang', 5000);
    await sleep(100);
    expect(fired).toHaveLength(1);
  });
});
