import { describe, expect, it } from 'vitest';
import { eventObject } from './event-object.js';

describe('eventObject', () => {
  it('is the payload with its type, in the order `{ ...payload, type }` gives', () => {
    const payload = { price: 4, items: ['a'], note: null };
    const event = eventObject('AddItem', payload);
    expect(event).toEqual({ ...payload, type: 'AddItem' });
    expect(Object.keys(event)).toEqual(Object.keys({ ...payload, type: 'AddItem' }));
    expect(JSON.stringify(event)).toBe(JSON.stringify({ ...payload, type: 'AddItem' }));
  });

  it('leaves the payload as it was', () => {
    const payload = Object.freeze({ price: 4 });
    eventObject('AddItem', payload);
    expect(payload).toEqual({ price: 4 });
  });
});
