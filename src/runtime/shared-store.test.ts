import { afterEach, describe, expect, it } from 'vitest';
import { assign, setup } from 'xstate';
import { memoryStore } from '../store/memory/memory-store.js';
import type { Store } from '../store/types.js';
import { createEngine } from './engine.js';
import type { Engine } from './types.js';

const lamp = setup({ types: { context: {} as { ticks: number } } }).createMachine({
  id: 'lamp',
  initial: 'off',
  context: { ticks: 0 },
  on: { Tick: { actions: assign({ ticks: ({ context }) => context.ticks + 1 }) } },
  states: { off: { on: { TurnOn: 'on' } }, on: { on: { TurnOff: 'off' } } },
});

/** Two engines over one store: what several processes on one database look like to each engine. */
describe('engines sharing a store', () => {
  let engines: Engine[] = [];
  const pair = async (): Promise<[Engine, Engine, Store]> => {
    const store = memoryStore();
    engines = [
      await createEngine({ store, machines: [lamp], dispatch: 'manual' }),
      await createEngine({ store, machines: [lamp], dispatch: 'manual' }),
    ];
    return [engines[0]!, engines[1]!, store];
  };
  afterEach(async () => {
    for (const e of engines) await e.close();
  });

  it('retries an event whose cached state another engine moved past, on the reloaded state', async () => {
    const [a, b] = await pair();
    await a.create('lamp', 'l1');
    await a.send('lamp', 'l1', { type: 'Tick' });
    await b.send('lamp', 'l1', { type: 'Tick' });
    expect(await a.send('lamp', 'l1', { type: 'Tick' })).toMatchObject({
      seq: 4,
      context: { ticks: 3 },
    });
  });

  it('rejects an event only when the current state refuses it, not a stale cached one', async () => {
    const [a, b] = await pair();
    await a.create('lamp', 'l1');
    await a.send('lamp', 'l1', { type: 'TurnOn' });
    await b.send('lamp', 'l1', { type: 'TurnOff' });
    expect(await a.send('lamp', 'l1', { type: 'TurnOn' })).toMatchObject({ value: 'on', seq: 4 });
    await expect(b.send('lamp', 'l1', { type: 'TurnOn' })).rejects.toMatchObject({
      code: 'EVENT_NOT_ACCEPTED',
    });
  });

  it('refuses a create of an instance another engine created: the commit finds it, nothing is written', async () => {
    const [a, b, store] = await pair();
    await a.create('lamp', 'l1');
    await a.send('lamp', 'l1', { type: 'Tick' });
    await expect(b.create('lamp', 'l1')).rejects.toMatchObject({ code: 'INSTANCE_EXISTS' });
    expect((await store.getInstance({ machine: 'lamp', id: 'l1' }))?.seq).toBe(2);
    expect((await b.history('lamp', 'l1')).events.map((e) => e.seq)).toEqual([1, 2]);
  });
});
