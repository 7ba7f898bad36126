import { describe, expect, expectTypeOf, it } from 'vitest';
import { createMachine } from 'xstate';
import { type OrderContext, orderMachine } from '../../examples/order.js';
import { createTestEngine } from '../testing/test-engine.js';
import type { CommandResult, InstanceState } from './types.js';

// Type tests run under `tsc` (npm run typecheck) as much as under vitest:
// passing the machine itself types the input, the events and the context.
describe('engine commands typed from the machine', () => {
  it('types create input, send events and the context of every result', async () => {
    const t = await createTestEngine({ machines: [orderMachine] });
    try {
      const created = await t.engine.create(orderMachine, 'o1', { input: { total: 40 } });
      expectTypeOf(created).toEqualTypeOf<CommandResult<OrderContext>>();
      expect(created.context.total).toBe(40);

      const paid = await t.engine.send(orderMachine, 'o1', { type: 'Pay', amount: 40 });
      expectTypeOf(paid.context).toEqualTypeOf<OrderContext>();
      expect(paid.context.paid).toBe(40);

      const got = await t.engine.get(orderMachine, 'o1');
      expectTypeOf(got).toEqualTypeOf<InstanceState<OrderContext>>();
      expectTypeOf(got.context.paidAt).toEqualTypeOf<number | null>();
      expect(got.context).toEqual(paid.context);

      // Wrong input, unknown events and wrong payloads do not compile.
      // @ts-expect-error: total must be a number
      await t.engine.create(orderMachine, 'o2', { input: { total: '40' } }).catch(() => {});
      // @ts-expect-error: the order machine has no Refund event
      await t.engine.send(orderMachine, 'o1', { type: 'Refund' }).catch(() => {});
      // @ts-expect-error: Ship's carrier is a string
      await t.engine.send(orderMachine, 'o1', { type: 'Ship', carrier: 7 }).catch(() => {});
    } finally {
      await t.close();
    }
  });

  it('keeps the untyped form for machine names', async () => {
    const t = await createTestEngine({ machines: [orderMachine] });
    try {
      const created = await t.engine.create('order', 'o1', { input: { total: 5 } });
      expectTypeOf(created.context).toBeUnknown();
      const sent = await t.engine.send('order', 'o1', { type: 'Pay', amount: 5 });
      expectTypeOf(sent).toEqualTypeOf<CommandResult>();
      expectTypeOf((await t.engine.get('order', 'o1')).context).toBeUnknown();
    } finally {
      await t.close();
    }
  });

  it('takes any { type } event for a machine without event types', async () => {
    const light = createMachine({
      id: 'light',
      initial: 'red',
      states: { red: { on: { Go: 'green' } }, green: {} },
    });
    const t = await createTestEngine({ machines: [light] });
    try {
      await t.engine.create(light, 'l1');
      const sent = await t.engine.send(light, 'l1', { type: 'Go', by: 'me' });
      expect(sent.value).toBe('green');
    } finally {
      await t.close();
    }
  });

  it('refuses something that is neither a name nor a machine', async () => {
    const t = await createTestEngine({ machines: [orderMachine] });
    try {
      await expect(t.engine.get({} as never, 'o1')).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
    } finally {
      await t.close();
    }
  });
});
