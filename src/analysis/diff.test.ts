import { describe, expect, it } from 'vitest';
import { assign, fromPromise, setup } from 'xstate';
import { assess } from './assess.js';
import { describeMachine, fingerprintOf } from './definition.js';
import { diffVersions } from './diff.js';

/** Version 1 of a subscription, and version 2 with one change of every kind. */
const v1 = setup({
  guards: { canResume: () => true, paidUp: () => true },
  actions: { notify: () => {}, bill: () => {} },
  actors: { charge: fromPromise(async () => 1) },
  delays: { grace: 1000 },
}).createMachine({
  id: 'sub',
  initial: 'active',
  context: { n: 0 },
  states: {
    active: {
      on: { Pause: 'paused', Cancel: 'cancelled', Ping: { actions: 'notify' } },
    },
    paused: {
      after: { grace: 'cancelled' },
      on: { Resume: { guard: 'canResume', target: 'active' } },
    },
    billing: { invoke: { src: 'charge', onDone: 'active' }, on: { Fail: 'cancelled' } },
    cancelled: { type: 'final' },
  },
});

const v2 = setup({
  guards: { canResume: () => false, paidUp: () => true },
  actions: { notify: () => {}, bill: () => {}, audit: () => {} },
  actors: { charge: fromPromise(async () => 1) },
  delays: { grace: 5000 },
}).createMachine({
  id: 'sub',
  initial: 'active',
  context: { n: 0 },
  states: {
    active: {
      // Cancel retargeted, Ping's action changed, Upgrade added (a new event).
      on: {
        Pause: 'onHold',
        Cancel: 'review',
        Ping: { actions: 'audit' },
        Upgrade: { actions: assign({ n: 1 }) },
      },
    },
    onHold: {
      after: { grace: 'cancelled' },
      on: { Resume: { guard: 'paidUp', target: 'active' } },
    },
    // Fail is no longer handled anywhere.
    billing: { invoke: { src: 'charge', onDone: 'active' } },
    review: { on: { Confirm: 'cancelled' } },
    cancelled: { type: 'final' },
    refunded: { type: 'final' },
  },
});

describe('version diff', () => {
  const diff = diffVersions(describeMachine(v1), describeMachine(v2));
  const kinds = (kind: string) => diff.changes.filter((c) => c.kind === kind);

  it('gives a stable fingerprint, different for a changed definition', () => {
    expect(fingerprintOf(describeMachine(v1))).toBe(fingerprintOf(describeMachine(v1)));
    expect(fingerprintOf(describeMachine(v1))).toMatch(/^sha256:[0-9a-f]{24}$/);
    expect(fingerprintOf(describeMachine(v1))).not.toBe(fingerprintOf(describeMachine(v2)));
  });

  it('sees the inline code of a machine in its fingerprint', () => {
    const a = setup({}).createMachine({ id: 'm', on: { E: { actions: assign({ n: () => 1 }) } } });
    const b = setup({}).createMachine({ id: 'm', on: { E: { actions: assign({ n: () => 2 }) } } });
    expect(fingerprintOf(describeMachine(a))).not.toBe(fingerprintOf(describeMachine(b)));
  });

  it('classifies each kind of change', () => {
    expect(kinds('state.removed')).toEqual([
      expect.objectContaining({ state: 'paused', verdict: 'blocked', renamedTo: 'onHold' }),
    ]);
    expect(kinds('state.added').map((c) => [c.detail.split(' ')[0], c.verdict])).toEqual([
      ['intermediate', 'care'], // onHold (looks like paused renamed)
      ['intermediate', 'care'], // review
      ['terminal', 'safe'], // refunded
    ]);
    expect(kinds('transition.retargeted').map((c) => [c.state, c.event, c.verdict])).toEqual([
      ['active', 'Pause', 'risky'],
      ['active', 'Cancel', 'risky'],
    ]);
    expect(kinds('transition.actions')).toEqual([
      expect.objectContaining({ state: 'active', event: 'Ping', verdict: 'review' }),
    ]);
    expect(kinds('event.added').map((c) => [c.event, c.verdict])).toEqual([
      ['Upgrade', 'safe'],
      ['Confirm', 'safe'],
    ]);
    expect(kinds('event.removed').map((c) => [c.event, c.verdict])).toEqual([['Fail', 'care']]);
    expect(kinds('code.changed').map((c) => c.detail)).toEqual(
      expect.arrayContaining([
        'the implementation of guard canResume changed',
        'the implementation of delay grace changed',
      ]),
    );
  });

  it('blocks a removed state that live instances are in, unless a mapping moves them', () => {
    const live = new Map([
      ['active', 3],
      ['paused', 2],
      ['billing', 1],
    ]);
    const blocked = assess(diff, live);
    expect(blocked.blocked).toBe(true);
    expect(blocked.states.find((s) => s.state === 'paused')).toMatchObject({
      live: 2,
      verdict: 'blocked',
    });
    expect(blocked.states.find((s) => s.state === 'active')).toMatchObject({
      live: 3,
      verdict: 'risky',
    });
    expect(blocked.states.find((s) => s.state === 'cancelled')).toMatchObject({
      live: 0,
      verdict: 'safe',
    });
    const mapped = assess(diff, live, { paused: 'onHold' });
    expect(mapped.blocked).toBe(false);
    expect(mapped.verdict).toBe('risky');
  });

  it('makes nothing blocked or risky where no instance is', () => {
    const empty = assess(diff, new Map());
    expect(empty.blocked).toBe(false);
    expect(empty.verdict).toBe('review');
    // Without counts, what would block live instances blocks.
    expect(assess(diff, undefined).blocked).toBe(true);
  });

  it('finds nothing between a definition and itself', () => {
    expect(diffVersions(describeMachine(v1), describeMachine(v1)).changes).toEqual([]);
  });
});

describe('normalized source', () => {
  it('hashes code the same whichever loader printed it (whitespace, comments, semicolons, quotes)', async () => {
    const { normalizedSource } = await import('./definition.js');
    const formatted = `({ context }) => {
      // add one
      return { n: context.n + 1, tag: "x", };
    }`;
    const minified = "({context})=>{return{n:context.n+1,tag:'x'}}";
    expect(normalizedSource(formatted)).toBe(normalizedSource(minified));
    expect(normalizedSource('() => "http://a"')).toContain('http://a');
    expect(normalizedSource('(x) => x + 1')).not.toBe(normalizedSource('(x) => x + 2'));
  });
});
