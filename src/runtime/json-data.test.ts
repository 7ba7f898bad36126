import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assign, emit, fromPromise, raise, setup } from 'xstate';
import type { StatorError } from '../core/errors.js';
import { createTestEngine, type TestEngine } from '../testing/test-engine.js';
import { type TestStore, testStores } from './test-support/stores.js';

/** A machine whose effects can be made to carry a Date. */
const planner = setup({
  types: { context: {} as { due: unknown } },
  actors: {
    lookup: fromPromise(async () => ({ due: new Date(Date.UTC(2026, 0, 2)) })),
    work: fromPromise(async () => null),
  },
}).createMachine({
  id: 'planner',
  initial: 'idle',
  context: { due: null },
  states: {
    idle: {
      on: {
        Later: { actions: raise(() => ({ type: 'Tick', at: new Date(5) }), { delay: 1000 }) },
        Announce: { actions: emit(() => ({ type: 'planned', at: new Date(5) })) },
        Work: 'working',
        Lookup: 'looking',
        Tick: {},
      },
    },
    working: { invoke: { src: 'work', input: () => ({ when: new Date(5) }) } },
    looking: {
      invoke: {
        src: 'lookup',
        onDone: {
          target: 'idle',
          actions: assign({ due: ({ event }) => (event.output as { due: unknown }).due }),
        },
      },
    },
  },
});

async function failure(promise: Promise<unknown>): Promise<StatorError> {
  try {
    await promise;
  } catch (error) {
    return error as StatorError;
  }
  throw new Error('expected a rejection');
}

describe.each(Object.keys(testStores))('a Date in what an effect stores, on %s', (kind) => {
  let s: TestStore;
  let t: TestEngine;
  beforeEach(async () => {
    s = testStores[kind]!();
    t = await createTestEngine({ machines: [planner], store: s.store });
    await t.engine.create('planner', 'p1');
  });
  afterEach(async () => {
    await t.close();
    s.cleanup();
  });

  it.each([
    ['Later', 'the delayed event "Tick".at is a Date'],
    ['Announce', 'the emitted event "planned".at is a Date'],
    ['Work', 'the input of "0.planner.working".when is a Date'],
  ])(
    '%s is refused at commit with STEP_FAILED naming the path; nothing is recorded',
    async (type, problem) => {
      const error = await failure(t.engine.send('planner', 'p1', { type }));
      expect(error.code).toBe('STEP_FAILED');
      expect(error.message).toContain(problem);
      expect(error.message).toContain('ISO string or epoch milliseconds');
      expect(await t.engine.get('planner', 'p1')).toMatchObject({ seq: 1, value: 'idle' });
    },
  );

  it('an activity output with a Date arrives as its ISO string, live and on replay alike', async () => {
    await t.engine.send('planner', 'p1', { type: 'Lookup' });
    await t.settle();
    const live = await t.engine.get('planner', 'p1');
    expect(live).toMatchObject({ value: 'idle', context: { due: '2026-01-02T00:00:00.000Z' } });
    expect(await t.engine.replay('planner', 'p1')).toMatchObject({ context: live.context });
  });
});
