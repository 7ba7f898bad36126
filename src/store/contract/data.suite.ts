import { describe, expect, it } from 'vitest';
import { auditOnly, createWrite, effect, eventWrite, key, readAll, timer } from './builders.js';
import type { ContractContext } from './context.js';

const RICH = {
  text: 'Zoë ✓ 注文 مرحبا 🚚',
  escapes: 'quote " backslash \\ newline \n tab \t nul \u0000 lone \ud800',
  numbers: [0, -1, 0.1 + 0.2, 1e21, Number.MAX_SAFE_INTEGER, -0.5],
  flags: [true, false, null],
  nested: { a: { b: { c: [{ d: [] }, {}] } } },
  empty: { object: {}, array: [], string: '' },
};

/** JSON fidelity, isolation between instances, and rows as copies. */
export function describeDataContract(ctx: ContractContext): void {
  const order = key('order', 'o-1');

  describe('JSON values', () => {
    it('round-trip exactly through every JSON field', async () => {
      const create = createWrite(order, {
        value: { checkout: { payment: 'card', shipping: {} } },
        context: RICH,
        payload: { input: RICH },
        actor: { id: 'svc:billing', roles: ['system'], tenant: 'ünï' },
        traceContext: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        timersSet: [
          timer(order, 'xstate.after.5000.order.pending', 1, { event: { type: 'T', data: RICH } }),
        ],
        outbox: [
          effect(order, 1, 0, {
            kind: 'send',
            target: 'parent',
            event: { type: 'Done', ...{ data: RICH } },
          }),
        ],
        snapshot: { status: 'active', context: RICH, children: {} },
        idempotency: { key: 'ключ-🔑', result: RICH },
      });
      const rejected = auditOnly(order, {
        from: { checkout: 'payment' },
        actor: null,
        reason: RICH.text,
      });
      await ctx.store.commit([create, rejected]);

      expect(await readAll(ctx.store, order, ['ключ-🔑'])).toEqual({
        instance: create.instance,
        events: [create.event],
        audit: [
          { ...create.audit, position: 1 },
          { ...rejected.audit, position: 2 },
        ],
        timers: create.timersSet,
        outbox: create.outbox,
        snapshot: create.snapshot,
        idempotency: [create.idempotency],
      });
    });

    it('keeps a null context null', async () => {
      await ctx.store.commit([createWrite(order, { context: null })]);
      expect((await ctx.store.getInstance(order))?.context).toBeNull();
    });
  });

  describe('isolation', () => {
    it('keeps instances of different machines with the same id apart', async () => {
      const invoice = key('invoice', 'o-1');
      await ctx.store.commit([
        createWrite(order, { idempotency: { key: 'k' }, timersSet: [timer(order, 't', 1)] }),
        eventWrite(order, 1),
        createWrite(invoice, { value: 'draft', outbox: [effect(invoice, 1, 0)], snapshot: {} }),
      ]);
      const orderRows = await readAll(ctx.store, order, ['k']);
      const invoiceRows = await readAll(ctx.store, invoice, ['k']);
      expect(orderRows.instance).toMatchObject({ machine: 'order', seq: 2 });
      expect(invoiceRows.instance).toMatchObject({ machine: 'invoice', seq: 1, value: 'draft' });
      expect(invoiceRows).toMatchObject({
        events: [{ machine: 'invoice', seq: 1 }],
        audit: [{ machine: 'invoice', position: 1 }],
        timers: [],
        idempotency: [undefined],
      });
      expect(orderRows).toMatchObject({ outbox: [], snapshot: undefined });
      expect(await ctx.store.commit([eventWrite(invoice, 1)])).toEqual([{ ok: true }]);
    });
  });

  describe('rows are copies', () => {
    it('is not changed by mutating a committed write or a returned row', async () => {
      const write = createWrite(order, { context: { items: ['a'] } });
      await ctx.store.commit([write]);
      (write.instance.context as { items: string[] }).items.push('mutated input');

      const read = await ctx.store.getInstance(order);
      (read!.context as { items: string[] }).items.push('mutated output');
      const events = await ctx.store.readEvents(order);
      (events[0]!.payload as Record<string, unknown>).extra = true;

      expect((await ctx.store.getInstance(order))?.context).toEqual({ items: ['a'] });
      expect((await ctx.store.readEvents(order))[0]?.payload).toEqual({});
    });
  });
}
