import { describe, expect, it } from 'vitest';
import { stateKey } from './state-key.js';

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
