import { afterEach, describe, expect, it } from 'vitest';
import { orderMachine } from '../../../../examples/order.js';
import type { Store } from '../../../store/types.js';
import {
  createTestEngine,
  type TestEngine,
  type TestEngineOptions,
} from '../../../testing/test-engine.js';
import { mailer, payment } from './machines.js';

/** The engine's operator actions, on one store adapter (`store()` gives a fresh, empty one). */
export function describeOperator(
  name: string,
  store: () => Promise<{ store: Store; cleanup: () => Promise<void> | void }>,
): void {
  describe(`operator actions (${name})`, () => {
    let t: TestEngine | undefined;
    let cleanup: (() => Promise<void> | void) | undefined;
    afterEach(async () => {
      await t?.close();
      await cleanup?.();
      t = undefined;
    });
    const create = async (options: Omit<TestEngineOptions, 'store'>): Promise<TestEngine> => {
      const made = await store();
      cleanup = made.cleanup;
      t = await createTestEngine({ ...options, store: made.store, log: () => {} });
      return t;
    };
    /** A payment whose charge fails its first attempt and retries only after 10 minutes. */
    const paymentFailingOnce = () =>
      create({
        machines: [payment],
        fakes: { charge: { failOn: [1] } },
        activities: { charge: { maxAttempts: 3, initialDelayMs: 600_000 } },
      });

    describe('engine.pending', () => {
      it('given an order, then its payment-window timer is what it waits for', async () => {
        const t = await create({ machines: [orderMachine] });
        await t.engine.create('order', 'o1', { input: { total: 40 } });
        const { timers, effects } = await t.engine.pending('order', 'o1');
        expect(timers).toHaveLength(1);
        expect(timers[0]).toMatchObject({
          event: { type: expect.stringContaining('xstate.after') },
        });
        expect(timers[0]?.dueAt).toBe(t.clock.now() + 48 * 3_600_000);
        expect(effects).toEqual([]);
      });

      it('given an activity that failed once, then it shows its attempts, error and next attempt', async () => {
        const t = await paymentFailingOnce();
        await t.engine.create('payment', 'p1');
        await t.settle();
        const { effects } = await t.engine.pending('payment', 'p1');
        expect(effects).toEqual([
          expect.objectContaining({
            effectId: 'payment/p1/1/0',
            attempts: 1,
            lastError: expect.stringContaining('failed on attempt 1'),
          }),
        ]);
        expect(effects[0]?.nextAttemptAt).toBeGreaterThan(t.clock.now());
      });
    });

    describe('engine.retryEffect', () => {
      it('given an activity waiting for its retry, when retried now, then it runs without waiting for the backoff', async () => {
        const t = await paymentFailingOnce();
        await t.engine.create('payment', 'p1');
        await t.settle();
        const row = await t.engine.retryEffect('payment', 'p1', 'payment/p1/1/0');
        expect(row.nextAttemptAt).toBe(t.clock.now());
        await t.settle(); // the clock has not moved
        expect(t.calls('charge').map((c) => c.attempt)).toEqual([1, 2]);
        expect(await t.engine.get('payment', 'p1')).toMatchObject({ value: 'paid' });
      });

      it('refuses an effect that is not waiting, and one that does not exist, with codes that say so', async () => {
        const t = await create({ machines: [payment], fakes: { charge: { run: () => 'r' } } });
        await t.engine.create('payment', 'p1');
        await expect(t.engine.retryEffect('payment', 'p1', 'payment/p1/1/0')).rejects.toMatchObject(
          {
            code: 'EFFECT_NOT_WAITING',
          },
        );
        await expect(t.engine.retryEffect('payment', 'p1', 'payment/p1/9/0')).rejects.toMatchObject(
          {
            code: 'EFFECT_NOT_FOUND',
          },
        );
        await t.engine.create('payment', 'p2');
        await expect(t.engine.retryEffect('payment', 'p2', 'payment/p1/1/0')).rejects.toMatchObject(
          {
            code: 'EFFECT_NOT_FOUND',
          },
        );
      });
    });

    describe('engine.stop', () => {
      it('given an order waiting for payment, when stopped, then it is stopped, its timer is gone, and it accepts nothing more', async () => {
        const t = await create({ machines: [orderMachine] });
        await t.engine.create('order', 'o1', { input: { total: 40 } });
        const stopped = await t.engine.stop('order', 'o1', {
          reason: 'fraud',
          actor: { id: 'ops' },
        });
        expect(stopped).toMatchObject({ status: 'stopped', seq: 2, duplicate: false });
        expect((await t.engine.pending('order', 'o1')).timers).toEqual([]);
        const { events } = await t.engine.history('order', 'o1');
        expect(events.at(-1)).toMatchObject({
          type: 'xstate.stop',
          payload: { reason: 'fraud' },
          actor: { id: 'ops' },
        });
        await expect(t.engine.send('order', 'o1', { type: 'Pay' })).rejects.toMatchObject({
          code: 'INSTANCE_DONE',
        });
        await expect(t.engine.stop('order', 'o1')).rejects.toMatchObject({ code: 'INSTANCE_DONE' });
        expect(await t.engine.replay('order', 'o1')).toMatchObject({ status: 'stopped', seq: 2 });
        await t.advanceBy('49h'); // the payment window would have cancelled it
        expect(await t.engine.get('order', 'o1')).toMatchObject({ status: 'stopped', seq: 2 });
      });

      it('given a running activity, when stopped, then its result is discarded', async () => {
        const t = await create({
          machines: [payment],
          fakes: { charge: { failOn: [1] } },
          activities: { charge: { maxAttempts: 3, initialDelayMs: 1000 } },
        });
        await t.engine.create('payment', 'p1');
        await t.settle();
        await t.engine.stop('payment', 'p1', { idempotencyKey: 'stop-1' });
        expect(await t.engine.stop('payment', 'p1', { idempotencyKey: 'stop-1' })).toMatchObject({
          duplicate: true,
          status: 'stopped',
        });
        await t.advanceBy('2h');
        expect(await t.engine.get('payment', 'p1')).toMatchObject({ status: 'stopped', seq: 2 });
        expect(await t.engine.pending('payment', 'p1')).toEqual({ timers: [], effects: [] });
      });
    });

    describe('dead letters', () => {
      it('given an action that failed its last retry, then it can be inspected and discarded, leaving an audit row', async () => {
        const t = await create({ machines: [mailer], actions: { maxAttempts: 1 } });
        await t.engine.create('mailer', 'm1');
        await t.engine.send('mailer', 'm1', { type: 'Mail' });
        await t.settle();
        const ref = { kind: 'effect', effectId: 'mailer/m1/2/0' } as const;
        expect(await t.engine.deadLetter(ref)).toMatchObject({
          status: 'dead',
          lastError: expect.stringContaining('mail server down'),
        });
        expect(await t.engine.discardDeadLetter(ref, { actor: { id: 'ops' } })).toBe(true);
        expect(await t.engine.deadLetter(ref)).toBeUndefined();
        expect(await t.engine.discardDeadLetter(ref)).toBe(false);
        expect((await t.engine.deadLetters()).effects).toEqual([]);
        const { entries } = await t.engine.audit('mailer', 'm1');
        expect(entries.at(-1)).toMatchObject({
          eventType: 'stator.dead-letter.discarded',
          outcome: 'discarded',
          actor: { id: 'ops' },
          reason: expect.stringContaining('mailer/m1/2/0'),
        });
      });

      it('does not take a pending effect for a dead letter', async () => {
        const t = await create({ machines: [mailer], actions: { maxAttempts: 5 } });
        await t.engine.create('mailer', 'm1');
        await t.engine.send('mailer', 'm1', { type: 'Mail' });
        const ref = { kind: 'effect', effectId: 'mailer/m1/2/0' } as const;
        expect(await t.engine.deadLetter(ref)).toBeUndefined();
        expect(await t.engine.discardDeadLetter(ref)).toBe(false);
        expect((await t.engine.pending('mailer', 'm1')).effects).toHaveLength(1);
      });
    });

    describe('the emit log', () => {
      it('is read in pages by position, and named cursors are kept', async () => {
        const t = await create({ machines: [orderMachine] });
        for (const id of ['o1', 'o2', 'o3']) {
          await t.engine.create('order', id, { input: { total: 5 } });
          await t.engine.send('order', id, { type: 'Pay' });
        }
        const first = await t.engine.emits({ limit: 2 });
        expect(first.emits.map((e) => [e.id, e.position])).toEqual([
          ['o1', 1],
          ['o2', 2],
        ]);
        expect(first.next).toBe(2);
        const rest = await t.engine.emits({ after: 2, limit: 2 });
        expect(rest).toMatchObject({
          emits: [{ id: 'o3', event: { type: 'order.paid' } }],
          next: null,
        });
        expect(await t.engine.emitCursor('billing')).toBe(0);
        await t.engine.setEmitCursor('billing', 2);
        expect(await t.engine.emitCursor('billing')).toBe(2);
        await expect(t.engine.setEmitCursor('billing', -1)).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
        await expect(t.engine.emitCursor('')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      });
    });
  });
}
