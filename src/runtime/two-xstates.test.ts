import { describe, expect, it } from 'vitest';
import { secondXState } from '../core/test-support/second-xstate.js';
import { createTestEngine } from '../testing/test-engine.js';

// A user's project that installs Stator and XState side by side can hold two
// copies of XState: machines come from the user's copy, the engine uses its own.
describe('machines built by another copy of XState', () => {
  it('run with their invoked child machine and promise actor as durable instances', async () => {
    const x = await secondXState();
    const shipping = x.createMachine({
      id: 'shipping',
      initial: 'packing',
      states: { packing: { on: { Packed: 'sent' } }, sent: { type: 'final' } },
    });
    const order = x
      .setup({
        actors: { shipping, charge: x.fromPromise(async () => 'receipt-1') },
      })
      .createMachine({
        id: 'order',
        initial: 'charging',
        states: {
          charging: { invoke: { src: 'charge', onDone: 'shipping' } },
          shipping: { invoke: { id: 'ship', src: 'shipping', onDone: 'done' } },
          done: { type: 'final' },
        },
      });
    const t = await createTestEngine({ machines: [order] });
    try {
      await t.engine.create('order', 'o1');
      await t.settle();
      expect((await t.engine.get('order', 'o1')).value).toBe('shipping');
      const children = await t.engine.list('shipping');
      expect(children.instances).toHaveLength(1);
      const child = children.instances[0] as { id: string };
      await t.engine.send('shipping', child.id, { type: 'Packed' });
      await t.settle();
      expect(await t.engine.get('order', 'o1')).toMatchObject({ value: 'done', status: 'done' });
    } finally {
      await t.close();
    }
  });
});
