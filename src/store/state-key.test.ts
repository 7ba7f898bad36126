import { describe, expect, it } from 'vitest';
import { stateKey, stateMatches } from './state-key.js';

describe('stateKey', () => {
  it('is the state itself for an atomic top-level state', () => {
    expect(stateKey('idle')).toBe('idle');
  });

  it('is the dotted path to the active leaf for nested states', () => {
    expect(stateKey({ checkout: { payment: 'card' } })).toBe('checkout.payment.card');
  });

  it('lists every active leaf of parallel regions, sorted, so key order does not matter', () => {
    const a = stateKey({ ship: { parcel: 'packed', invoice: 'sent' } });
    const b = stateKey({ ship: { invoice: 'sent', parcel: 'packed' } });
    expect(a).toBe('ship.invoice.sent,ship.parcel.packed');
    expect(b).toBe(a);
  });

  it('ends the path at an atomic region of a parallel state ({})', () => {
    expect(stateKey({ p: { a: {}, b: 'x' } })).toBe('p.a,p.b.x');
  });
});

describe('stateMatches', () => {
  it('matches the state itself and its substates, never a sibling that starts alike', () => {
    expect(stateMatches('paid', 'paid')).toBe(true);
    expect(stateMatches('paid.packed.boxed', 'paid')).toBe(true);
    expect(stateMatches('paid.packed.boxed', 'paid.packed')).toBe(true);
    expect(stateMatches('paidOut', 'paid')).toBe(false);
    expect(stateMatches('paid', 'paid.packed')).toBe(false);
  });

  it('matches a parallel key when any region path matches', () => {
    const key = stateKey({ ship: { parcel: 'packed', invoice: 'sent' } });
    expect(stateMatches(key, 'ship.parcel')).toBe(true);
    expect(stateMatches(key, 'ship.invoice.sent')).toBe(true);
    expect(stateMatches(key, 'ship.parcel.lost')).toBe(false);
    expect(stateMatches('p.a,p.b.x', 'p.a')).toBe(true);
  });
});
