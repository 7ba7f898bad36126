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
    expect(problemOf(() => assertDurable(m))).toMatch(/state "m\.waiting".*"listen" is a callback/);
  });

  it('refuses inline actor logic not provided through setup', () => {
    const m = createMachine({
      id: 'm',
      initial: 'a',
      states: { a: { invoke: { src: fromPromise(async () => 1) } } },
    });
    expect(problemOf(() => assertDurable(m))).toMatch(/state "m\.a".*inline actor logic/);
  });

  it('refuses inline action functions, which could not run again after a crash', () => {
    const m = setup({}).createMachine({
      id: 'm',
      initial: 'a',
      states: { a: { on: { Go: { actions: function sendEmail() {} } } } },
    });
    expect(problemOf(() => assertDurable(m))).toMatch(
      /state "m\.a": transition on "Go": inline action function \(sendEmail\)/,
    );
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
