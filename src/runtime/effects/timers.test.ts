import { afterEach, describe, expect, it } from 'vitest';
import { assign, raise, setup } from 'xstate';
import { orderMachine } from '../../../examples/order.js';
import { memoryStore } from '../../store/memory/memory-store.js';
import { createTestEngine, type TestEngine } from '../../testing/test-engine.js';

let t: TestEngine;
afterEach(() => t?.close());

describe('durable timers', () => {
  it('an after-timeout fires at its due time as an audited system:timer event', async () => {
    t = await createTestEngine({ machines: [orderMachine] });
    await t.engine.create('order', 'o1', { input: { total: 40 } });
    await t.advanceBy('47h59m');
    expect((await t.engine.get('order', 'o1')).value).toBe('pending');
    await t.advanceBy('1m');
    const state = await t.engine.get('order', 'o1');
    expect(state).toMatchObject({
      value: 'cancelled',
      status: 'done',
      context: { cancelReason: 'unpaid' },
    });
    expect(state.updatedAt).toBe(state.createdAt + 48 * 3600_000);
    const { events } = await t.engine.history('order', 'o1');
    expect(events.at(-1)).toMatchObject({
      type: 'xstate.after.paymentWindow.order.pending',
      actor: { id: 'system:timer' },
    });
    expect((await t.engine.audit('order', 'o1')).entries.at(-1)).toMatchObject({
      actor: { id: 'system:timer' },
      from: 'pending',
      to: 'cancelled',
      outcome: 'applied',
    });
  });

  it('leaving the state deletes its timer in the same transaction: it never fires', async () => {
    t = await createTestEngine({ machines: [orderMachine] });
    await t.engine.create('order', 'o1', { input: { total: 40 } });
    await t.engine.send('order', 'o1', { type: 'Pay' });
    await t.advanceBy('72h');
    expect((await t.engine.get('order', 'o1')).value).toEqual({ paid: 'awaitingPacking' });
    expect((await t.engine.history('order', 'o1')).events.map((e) => e.type)).toEqual([
      'xstate.init',
      'Pay',
    ]);
  });

  it('a timer set again after it was claimed is not fired early: the stale claim writes nothing', async () => {
    const m = setup({}).createMachine({
      id: 'nudge',
      initial: 'waiting',
      states: {
        waiting: { after: { 1000: 'expired' }, on: { Poke: { target: 'waiting', reenter: true } } },
        expired: {},
      },
    });
    const store = memoryStore();
    const claim = store.claimDueTimers.bind(store);
    let poke = true;
    // Between the scheduler's claim and its firing, an event re-enters the state: the
    // timer is set again (new set_by_seq, due 1 s later) and the claimed row is stale.
    store.claimDueTimers = async (lease) => {
      const claimed = await claim(lease);
      if (poke && claimed.length > 0) {
        poke = false;
        await t.engine.send('nudge', 'n1', { type: 'Poke' });
      }
      return claimed;
    };
    t = await createTestEngine({ machines: [m], store });
    await t.engine.create('nudge', 'n1');
    await t.advanceBy(1000);
    expect((await t.engine.get('nudge', 'n1')).value).toBe('waiting');
    expect((await t.engine.history('nudge', 'n1')).events.map((e) => e.type)).toEqual([
      'xstate.init',
      'Poke',
    ]);
    await t.advanceBy(1000);
    expect((await t.engine.get('nudge', 'n1')).value).toBe('expired');
    const types = (await t.engine.history('nudge', 'n1')).events.map((e) => e.type);
    expect(types.filter((type) => type.startsWith('xstate.after'))).toHaveLength(1);
  });

  it('delayed raises fire in due order, each at its own time', async () => {
    const m = setup({ types: { context: {} as { log: string[] } } }).createMachine({
      id: 'delays',
      context: { log: [] },
      entry: [
        raise({ type: 'Third' }, { delay: 3000 }),
        raise({ type: 'First' }, { delay: 1000 }),
        raise({ type: 'Second' }, { delay: 2000 }),
      ],
      on: {
        '*': { actions: assign({ log: ({ context, event }) => [...context.log, event.type] }) },
      },
    });
    t = await createTestEngine({ machines: [m] });
    const created = await t.engine.create('delays', 'd1');
    await t.advanceBy('10s');
    expect((await t.engine.get('delays', 'd1')).context).toEqual({
      log: ['First', 'Second', 'Third'],
    });
    const times = (await t.engine.history('delays', 'd1')).events
      .slice(1)
      .map((e) => e.recordedAt - created.createdAt);
    expect(times).toEqual([1000, 2000, 3000]);
  });

  it('a timer whose step throws is retried with backoff, then dead-lettered, then replayed by hand', async () => {
    let broken = true;
    const m = setup({ types: { context: {} as { fired: number } } }).createMachine({
      id: 'fragile',
      initial: 'waiting',
      context: { fired: 0 },
      states: {
        waiting: {
          after: {
            1000: {
              target: 'done',
              actions: assign({
                fired: ({ context }) => {
                  if (broken) throw new Error('downstream invariant broken');
                  return context.fired + 1;
                },
              }),
            },
          },
        },
        done: {},
      },
    });
    t = await createTestEngine({ machines: [m], timers: { maxAttempts: 3, initialDelayMs: 100 } });
    await t.engine.create('fragile', 'f1');
    await t.advanceBy('1s');
    expect((await t.engine.get('fragile', 'f1')).value).toBe('waiting');
    await t.advanceBy('1s'); // retries at +100 ms and +200 ms, then dead
    const dead = await t.engine.deadLetters();
    expect(dead.timers).toMatchObject([{ id: 'f1', status: 'dead', attempts: 3 }]);
    expect(dead.timers[0]?.lastError).toContain('downstream invariant broken');
    const rejected = (await t.engine.audit('fragile', 'f1')).entries.filter(
      (a) => a.outcome === 'rejected_error',
    );
    expect(rejected).toHaveLength(3);

    broken = false;
    const timerId = dead.timers[0]?.timerId ?? '';
    expect(
      await t.engine.retryDeadLetter({ kind: 'timer', machine: 'fragile', id: 'f1', timerId }),
    ).toBe(true);
    await t.settle();
    expect(await t.engine.get('fragile', 'f1')).toMatchObject({
      value: 'done',
      context: { fired: 1 },
    });
    expect((await t.engine.deadLetters()).timers).toEqual([]);
  });
});
