import { describe, expect, it } from 'vitest';
import {
  createMachine,
  fromCallback,
  fromObservable,
  fromPromise,
  StateMachine,
  setup,
} from 'xstate';
import { orderMachine } from '../../examples/order.js';
import { actorKind, assertDurable } from './durable-check.js';
import { secondXState } from './test-support/second-xstate.js';

const problemOf = (fn: () => void): string => {
  try {
    fn();
  } catch (error) {
    expect((error as { code?: string }).code).toBe('NON_DURABLE_MACHINE');
    return (error as Error).message;
  }
  throw new Error('expected NON_DURABLE_MACHINE');
};

describe('durable-feature check', () => {
  it('accepts the example order machine', () => {
    expect(() => assertDurable(orderMachine)).not.toThrow();
  });

  it('classifies actor logic by behaviour', () => {
    expect(actorKind(fromPromise(async () => 1))).toBe('promise');
    expect(actorKind(fromCallback(() => {}))).toBe('other');
    expect(
      actorKind(fromObservable(() => ({ subscribe: () => ({ unsubscribe() {} }) }) as never)),
    ).toBe('other');
    expect(actorKind(createMachine({ id: 'x' }))).toBe('machine');
  });

  it('refuses a callback actor, naming the state and the feature', () => {
    const m = setup({ actors: { listen: fromCallback(() => {}) } }).createMachine({
      id: 'm',
      initial: 'waiting',
      states: { waiting: { invoke: { src: 'listen' } } },
    });
    const message = problemOf(() => assertDurable(m));
    expect(message).toMatch(/state "m\.waiting".*"listen" is a callback/);
    expect(message).toMatch(/Rewrite as durable work: a fromPromise activity/);
  });

  it('accepts inline promise actors, inline machines with an id and inline action functions', () => {
    const m = createMachine({
      id: 'm',
      initial: 'a',
      states: {
        a: {
          entry: ({ context }) => context,
          invoke: [{ src: fromPromise(async () => 1) }, { src: createMachine({ id: 'kid' }) }],
          on: { Go: { actions: function sendEmail() {} } },
        },
      },
    });
    expect(() => assertDurable(m)).not.toThrow();
  });

  it('refuses inline callback and observable actors, showing the durable rewrite', () => {
    const m = createMachine({
      id: 'm',
      initial: 'a',
      states: {
        a: {
          invoke: [
            { src: fromCallback(() => {}) },
            { src: fromObservable(() => ({ subscribe: () => ({ unsubscribe() {} }) }) as never) },
          ],
        },
      },
    });
    const message = problemOf(() => assertDurable(m));
    expect(message).toMatch(/state "m\.a": invoke #0 is an inline callback, observable/);
    expect(message).toMatch(/state "m\.a": invoke #1 is an inline callback, observable/);
    expect(message).toMatch(/fromPromise activity .*process outside the machine that sends them/);
  });

  it('accepts promise actors and child machines provided through setup', () => {
    const child = createMachine({ id: 'child' });
    const m = setup({ actors: { charge: fromPromise(async () => 1), child } }).createMachine({
      id: 'm',
      initial: 'a',
      states: { a: { invoke: [{ src: 'charge' }, { src: 'child' }] } },
    });
    expect(() => assertDurable(m)).not.toThrow();
  });
});

describe('durable-feature check with another copy of XState', () => {
  it('recognises machines and promise actors built by a second XState instance', async () => {
    const other = await secondXState();
    expect(other.StateMachine).not.toBe(StateMachine);
    const child = other.createMachine({ id: 'child' });
    expect(actorKind(child)).toBe('machine');
    const m = other
      .setup({ actors: { charge: other.fromPromise(async () => 1), child } })
      .createMachine({
        id: 'm',
        initial: 'a',
        states: { a: { invoke: [{ src: 'charge' }, { src: 'child' }] } },
      });
    expect(() => assertDurable(m)).not.toThrow();
    expect(actorKind(other.fromCallback(() => {}))).toBe('other');
  });
});
