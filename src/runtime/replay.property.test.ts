import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { orderMachine } from '../../examples/order.js';
import { createTestEngine } from '../testing/test-engine.js';

const orderEvent = fc.oneof(
  fc.record({
    type: fc.constant('Pay'),
    amount: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  }),
  fc.constant({ type: 'Pack' }),
  fc.record({ type: fc.constant('Ship'), carrier: fc.constantFrom('dhl', 'ups', 'post') }),
  fc.constant({ type: 'Deliver' }),
  fc.record({ type: fc.constant('Cancel'), reason: fc.string({ maxLength: 8 }) }),
);
const step = fc.oneof(
  { weight: 4, arbitrary: orderEvent.map((event) => ({ kind: 'send' as const, event })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 60 }).map((hours) => ({ kind: 'wait' as const, hours })),
  },
);

describe('replay', () => {
  it('rebuilds, from events alone, exactly the stored state after any accepted and rejected events and timers', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 100 }),
        fc.array(step, { maxLength: 25 }),
        async (total, steps) => {
          const t = await createTestEngine({
            machines: [{ machine: orderMachine, snapshot: { every: 3 } }],
          });
          try {
            await t.engine.create('order', 'o', { input: { total } });
            for (const s of steps) {
              if (s.kind === 'wait') await t.advanceBy(`${s.hours}h`);
              else
                await t.engine.send('order', 'o', s.event).catch((e: { code?: string }) => {
                  if (e.code !== 'EVENT_NOT_ACCEPTED' && e.code !== 'INSTANCE_DONE') throw e;
                });
            }
            const stored = await t.engine.get('order', 'o');
            const replayed = await t.engine.replay('order', 'o');
            expect(replayed).toEqual({
              value: stored.value,
              context: stored.context,
              status: stored.status,
              seq: stored.seq,
            });
            const { events } = await t.engine.history('order', 'o', { limit: 1000 });
            expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
          } finally {
            await t.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});
