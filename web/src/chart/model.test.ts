import { describe, expect, it } from 'vitest';
import { bigChart, orderChart } from './fixtures';
import {
  acceptedEvents,
  activeIds,
  descriptorMatches,
  indexChart,
  leafPaths,
  valueLabel,
} from './model';

const ORDER_EVENTS = ['Pay', 'Cancel', 'Ship', 'Pack', 'Deliver'];

describe('state values', () => {
  it('reads leaves of nested and parallel values', () => {
    expect(leafPaths('pending')).toEqual(['pending']);
    expect(leafPaths({ paid: 'packed' })).toEqual(['paid.packed']);
    expect(leafPaths({ work: { billing: 'quote', stock: { x: 'y' } } })).toEqual([
      'work.billing.quote',
      'work.stock.x.y',
    ]);
    expect(valueLabel({ work: { a: 'x', b: 'y' } })).toBe('work.a.x, work.b.y');
  });

  it('activates leaves, their ancestors and the root', () => {
    const index = indexChart(orderChart);
    expect([...activeIds(index, { paid: 'packed' })].sort()).toEqual([
      'order',
      'order.paid',
      'order.paid.packed',
    ]);
  });
});

describe('acceptedEvents', () => {
  it('offers what the active states handle, innermost first, and names the rest', () => {
    const index = indexChart(orderChart);
    const pending = acceptedEvents(index, activeIds(index, 'pending'), ORDER_EVENTS);
    expect(pending.accepted.map((a) => [a.type, a.guarded])).toEqual([
      ['Pay', true],
      ['Cancel', false],
    ]);
    expect(pending.rejected).toEqual(['Ship', 'Pack', 'Deliver']);
    const awaiting = acceptedEvents(
      index,
      activeIds(index, { paid: 'awaitingPacking' }),
      ORDER_EVENTS,
    );
    expect(awaiting.accepted.map((a) => a.type)).toEqual(['Pack', 'Ship', 'Cancel']);
    const done = acceptedEvents(index, activeIds(index, 'delivered'), ORDER_EVENTS);
    expect(done.accepted).toEqual([]);
  });

  it('collects handlers from every parallel region', () => {
    const index = indexChart(bigChart());
    const active = activeIds(index, {
      work: { billing: 'quote', stock: 'pick', shipping: 'book' },
    });
    const { accepted } = acceptedEvents(index, active, [
      'billing.quote.ok',
      'stock.pick.ok',
      'shipping.book.ok',
      'Problem',
      'Reply',
    ]);
    expect(accepted.map((a) => a.type)).toEqual([
      'billing.quote.ok',
      'stock.pick.ok',
      'shipping.book.ok',
      'Problem',
    ]);
  });

  it('matches wildcard descriptors', () => {
    expect(descriptorMatches('*', 'Anything')).toBe(true);
    expect(descriptorMatches('order.*', 'order.paid')).toBe(true);
    expect(descriptorMatches('order.*', 'orders')).toBe(false);
    expect(descriptorMatches('Pay', 'Pay')).toBe(true);
  });
});
