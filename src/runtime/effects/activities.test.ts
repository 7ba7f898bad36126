import { afterEach, describe, expect, it } from 'vitest';
import { assign, createMachine, fromPromise, setup } from 'xstate';
import { checkoutSaga, createServices } from '../../../examples/checkout-saga.js';
import { createTestEngine, type TestEngine } from '../../testing/test-engine.js';

let t: TestEngine;
afterEach(() => t?.close());

const payment = setup({
  types: { context: {} as { receipt: string | null; error: string | null } },
  actors: {
    charge: fromPromise(async ({ input }: { input: { amount: number } }) => `r-${input.amount}`),
  },
}).createMachine({
  id: 'payment',
  initial: 'charging',
  context: { receipt: null, error: null },
  states: {
    charging: {
      invoke: {
        id: 'c',
        src: 'charge',
        input: () => ({ amount: 7 }),
        onDone: {
          target: 'paid',
          actions: assign({ receipt: ({ event }) => event.output as string }),
        },
        onError: {
          target: 'failed',
          actions: assign({ error: ({ event }) => (event.error as { message: string }).message }),
        },
      },
      on: { Abort: 'aborted' },
    },
    paid: {},
    failed: {},
    aborted: {},
  },
});

describe('durable activities', () => {
  it('starts only after its transition committed, and its result arrives through the commit path', async () => {
    t = await createTestEngine({ machines: [payment], fakes: { charge: {} } });
    await t.engine.create('payment', 'p1');
    expect(t.calls('charge')).toEqual([]); // committed, not yet dispatched
    await t.settle();
    expect(t.calls('charge')).toEqual([
      { idempotencyKey: 'payment/p1/1/0', attempt: 1, input: { amount: 7 } },
    ]);
    expect(await t.engine.get('payment', 'p1')).toMatchObject({
      value: 'paid',
      context: { receipt: 'r-7' },
    });
    const last = (await t.engine.history('payment', 'p1')).events.at(-1);
    expect(last).toMatchObject({
      type: 'xstate.done.actor.c',
      actor: { id: 'system:activity' },
      payload: { output: 'r-7' },
    });
  });

  it('retries with backoff under the same idempotency key', async () => {
    t = await createTestEngine({
      machines: [payment],
      fakes: { charge: { failOn: [1, 2] } },
      activities: { charge: { initialDelayMs: 1000, maxAttempts: 5 } },
    });
    await t.engine.create('payment', 'p1');
    await t.settle();
    expect(t.calls('charge').map((c) => c.attempt)).toEqual([1]);
    await t.advanceBy('1s');
    await t.advanceBy('2s');
    const calls = t.calls('charge');
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(new Set(calls.map((c) => c.idempotencyKey))).toEqual(new Set(['payment/p1/1/0']));
    expect((await t.engine.get('payment', 'p1')).value).toBe('paid');
  });

  it('after the last attempt fails, the error event is delivered so onError runs', async () => {
    t = await createTestEngine({
      machines: [payment],
      fakes: { charge: { failOn: [1, 2, 3] } },
      activities: { charge: { maxAttempts: 3, initialDelayMs: 10 } },
    });
    await t.engine.create('payment', 'p1');
    await t.advanceBy('1s');
    expect(t.calls('charge')).toHaveLength(3);
    expect(await t.engine.get('payment', 'p1')).toMatchObject({
      value: 'failed',
      context: { error: 'charge failed on attempt 3 (ActivityFake.failOn)' },
    });
  });

  it("{ maxAttempts: 1 } gives XState's semantics: the first rejection is onError, per activity or for all ('*')", async () => {
    for (const activities of [{ charge: { maxAttempts: 1 } }, { '*': { maxAttempts: 1 } }]) {
      t = await createTestEngine({
        machines: [payment],
        fakes: { charge: { failOn: [1] } },
        activities,
      });
      await t.engine.create('payment', 'p1');
      await t.settle();
      expect(t.calls('charge')).toHaveLength(1);
      expect(await t.engine.get('payment', 'p1')).toMatchObject({
        value: 'failed',
        context: { error: 'charge failed on attempt 1 (ActivityFake.failOn)' },
      });
      await t.close();
    }
  });

  it('an inline promise actor takes its policy by invoke id; without one it is retried (5 attempts)', async () => {
    const attempts: number[] = [];
    const inline = (id: string) =>
      createMachine({
        id,
        initial: 'loading',
        states: {
          loading: {
            invoke: {
              id: 'load',
              src: fromPromise(async () => {
                attempts.push(1);
                throw new Error('down');
              }),
              onError: 'failed',
            },
          },
          failed: {},
        },
      });
    t = await createTestEngine({
      machines: [inline('strict')],
      activities: { load: { maxAttempts: 1 } },
      actions: { initialDelayMs: 10 },
    });
    await t.engine.create('strict', 's1');
    await t.settle();
    expect(attempts).toHaveLength(1);
    expect(await t.engine.get('strict', 's1')).toMatchObject({ value: 'failed' });
    await t.close();
    attempts.length = 0;
    t = await createTestEngine({ machines: [inline('patient')] });
    await t.engine.create('patient', 'p1');
    await t.advanceBy('2m');
    expect(attempts).toHaveLength(5);
    expect(await t.engine.get('patient', 'p1')).toMatchObject({ value: 'failed' });
  });

  it('a terminal error is not retried', async () => {
    t = await createTestEngine({
      machines: [payment],
      fakes: { charge: { failOn: [1] } },
      activities: { charge: { isTerminal: () => true } },
    });
    await t.engine.create('payment', 'p1');
    await t.settle();
    expect(t.calls('charge')).toHaveLength(1);
    expect((await t.engine.get('payment', 'p1')).value).toBe('failed');
  });

  it('a result that arrives after its state was exited is discarded and recorded', async () => {
    let release: (v: string) => void = () => {};
    t = await createTestEngine({
      machines: [payment],
      fakes: {
        charge: {
          run: () =>
            new Promise<string>((r) => {
              release = r;
            }),
        },
      },
    });
    await t.engine.create('payment', 'p1');
    const running = t.settle();
    await new Promise((r) => setTimeout(r, 10));
    await t.engine.send('payment', 'p1', { type: 'Abort' });
    release('late');
    await running;
    expect((await t.engine.get('payment', 'p1')).value).toBe('aborted');
    const audit = (await t.engine.audit('payment', 'p1')).entries;
    expect(audit.at(-1)).toMatchObject({ eventType: 'xstate.done.actor.c', outcome: 'discarded' });
    expect((await t.engine.history('payment', 'p1')).events.map((e) => e.type)).toEqual([
      'xstate.init',
      'Abort',
    ]);
  });

  it('an at-most-once activity interrupted by a crash is not re-run: the machine hears it may have happened', async () => {
    t = await createTestEngine({
      machines: [payment],
      fakes: { charge: {} },
      activities: { charge: { atMostOnce: true } },
    });
    await t.engine.create('payment', 'p1');
    // What a crash mid-run leaves behind: the start was recorded, no result.
    await t.store.markOutboxStarted('payment/p1/1/0');
    await t.settle();
    expect(t.calls('charge')).toEqual([]);
    expect(await t.engine.get('payment', 'p1')).toMatchObject({
      value: 'failed',
      context: { error: expect.stringContaining('may or may not have happened') },
    });
  });

  it('an invoked child machine runs as a durable instance; its completion reaches the parent', async () => {
    const child = createMachine({
      id: 'approval',
      initial: 'waiting',
      states: { waiting: { on: { Approve: 'approved' } }, approved: { type: 'final' } },
      output: () => ({ approvedBy: 'manager' }),
    });
    const parent = setup({
      actors: { approval: child },
      types: { context: {} as { by: string | null } },
    }).createMachine({
      id: 'expense',
      initial: 'review',
      context: { by: null },
      states: {
        review: {
          invoke: {
            id: 'ap',
            src: 'approval',
            onDone: {
              target: 'approved',
              actions: assign({
                by: ({ event }) => (event.output as { approvedBy: string }).approvedBy,
              }),
            },
          },
          on: { Withdraw: 'withdrawn' },
        },
        approved: { type: 'final' },
        withdrawn: { type: 'final' },
      },
    });
    t = await createTestEngine({ machines: [parent] });
    await t.engine.create('expense', 'e1');
    await t.settle();
    const childId = 'expense~e1~ap';
    expect(await t.engine.get('approval', childId)).toMatchObject({
      value: 'waiting',
      status: 'active',
    });
    await t.engine.send('approval', childId, { type: 'Approve' });
    await t.settle();
    expect(await t.engine.get('approval', childId)).toMatchObject({ status: 'done' });
    expect(await t.engine.get('expense', 'e1')).toMatchObject({
      value: 'approved',
      context: { by: 'manager' },
    });

    // Stopping the parent's state stops the child instance.
    await t.engine.create('expense', 'e2');
    await t.settle();
    await t.engine.send('expense', 'e2', { type: 'Withdraw' });
    await t.settle();
    expect(await t.engine.get('approval', 'expense~e2~ap')).toMatchObject({ status: 'stopped' });
  });
});

describe('checkout saga example', () => {
  it('reserves, charges and ships', async () => {
    const services = createServices();
    t = await createTestEngine({ machines: [checkoutSaga(services)] });
    await t.engine.create('checkout', 'c1', { input: { items: ['book'], amount: 30 } });
    await t.settle();
    expect(await t.engine.get('checkout', 'c1')).toMatchObject({
      value: 'completed',
      context: { chargeId: expect.any(String), trackingId: expect.any(String) },
    });
    expect(services.log).toEqual(['reserve book', 'charge 30', 'ship res-1']);
  });

  it('compensates: a declined charge releases the reservation and ends failed', async () => {
    const services = createServices();
    t = await createTestEngine({
      machines: [checkoutSaga(services)],
      activities: {
        chargeCard: { isTerminal: (e) => (e as { code?: string }).code === 'DECLINED' },
      },
    });
    await t.engine.create('checkout', 'c2', { input: { items: ['piano'], amount: 5000 } });
    await t.settle();
    expect(await t.engine.get('checkout', 'c2')).toMatchObject({
      value: 'failed',
      context: { failure: 'charge: card declined' },
    });
    expect(services.log).toEqual(['reserve piano', 'release res-1']);
  });

  it('retries a flaky charge and still charges once (same idempotency key)', async () => {
    const services = createServices();
    t = await createTestEngine({
      machines: [checkoutSaga(services)],
      fakes: { chargeCard: { failOn: [1, 2] } },
    });
    await t.engine.create('checkout', 'c3', { input: { items: ['pen'], amount: 3 } });
    await t.advanceBy('1m');
    expect((await t.engine.get('checkout', 'c3')).value).toBe('completed');
    expect(t.calls('chargeCard').map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(services.log.filter((l) => l.startsWith('charge'))).toEqual(['charge 3']);
  });
});
