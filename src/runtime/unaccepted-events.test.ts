import { afterEach, describe, expect, it } from 'vitest';
import { createMachine } from 'xstate';
import type { StatorError } from '../core/errors.js';
import { createEngine } from './engine.js';
import { testStores } from './test-support/stores.js';
import type { Engine } from './types.js';

const door = createMachine({
  id: 'door',
  initial: 'closed',
  states: {
    closed: { on: { Open: 'open', Lock: 'locked' } },
    open: { on: { Close: 'closed' } },
    locked: { on: { Unlock: 'closed', 'alarm.*': '.' } },
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

let engine: Engine;
afterEach(() => engine?.close());

describe('events a state does not take', () => {
  it('a type no state handles (a typo) is EVENT_UNKNOWN, listing the events the machine handles', async () => {
    engine = await createEngine({ store: testStores.memory!().store, machines: [door] });
    await engine.create('door', 'd1');
    const error = await failure(engine.send('door', 'd1', { type: 'Opne' }));
    expect(error.code).toBe('EVENT_UNKNOWN');
    expect(error.message).toContain('handles no event "Opne" in any state');
    expect(error.message).toContain('Open, Lock, Close, Unlock, alarm.*');
    expect((await engine.audit('door', 'd1')).entries.at(-1)).toMatchObject({
      eventType: 'Opne',
      outcome: 'rejected_invalid',
      reason: 'EVENT_UNKNOWN',
    });
  });

  it('a known type sent at the wrong time is EVENT_NOT_ACCEPTED, naming the states that take it', async () => {
    engine = await createEngine({ store: testStores.memory!().store, machines: [door] });
    await engine.create('door', 'd1');
    const error = await failure(engine.send('door', 'd1', { type: 'Close' }));
    expect(error.code).toBe('EVENT_NOT_ACCEPTED');
    expect(error.message).toContain('It is accepted in state door.open');
    expect(error.details).toMatchObject({ state: 'closed', acceptedIn: ['door.open'] });
    // Wildcard descriptors count as handling.
    const alarm = await failure(engine.send('door', 'd1', { type: 'alarm.fire' }));
    expect(alarm.code).toBe('EVENT_NOT_ACCEPTED');
    expect(alarm.details).toMatchObject({ acceptedIn: ['door.locked'] });
  });

  it("unacceptedEvents: 'ignore' gives XState's semantics: success without change, audited as discarded", async () => {
    engine = await createEngine({
      store: testStores.memory!().store,
      machines: [{ machine: door, unacceptedEvents: 'ignore' }],
    });
    await engine.create('door', 'd1');
    const ignored = await engine.send('door', 'd1', { type: 'Close' });
    expect(ignored).toMatchObject({ value: 'closed', seq: 1, duplicate: false });
    expect(await engine.send('door', 'd1', { type: 'Opne' })).toMatchObject({ seq: 1 });
    expect((await engine.history('door', 'd1')).events).toHaveLength(1);
    expect((await engine.audit('door', 'd1')).entries.slice(1)).toMatchObject([
      { eventType: 'Close', outcome: 'discarded', reason: 'ignored: not accepted in state closed' },
      { eventType: 'Opne', outcome: 'discarded' },
    ]);
    expect(await engine.send('door', 'd1', { type: 'Open' })).toMatchObject({ value: 'open' });
  });

  it('refuses an unknown unacceptedEvents setting at registration', async () => {
    const error = await failure(
      createEngine({
        store: testStores.memory!().store,
        machines: [{ machine: door, unacceptedEvents: 'drop' as never }],
      }),
    );
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.message).toContain("must be 'reject' (the default) or 'ignore'");
  });
});
