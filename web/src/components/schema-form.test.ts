import { describe, expect, it } from 'vitest';
import { fieldsOf, toPayload } from './schema-form';

// The JSON Schemas GET /v1/machines/{machine} publishes for examples/module.ts (zod's output).
const PAY = {
  type: 'object',
  properties: { amount: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 } },
  additionalProperties: false,
};
const CHECKOUT_INPUT = {
  type: 'object',
  properties: {
    items: {
      minItems: 1,
      maxItems: 50,
      type: 'array',
      items: { type: 'string', minLength: 1, maxLength: 100 },
    },
    amount: { type: 'number', exclusiveMinimum: 0, maximum: 1_000_000 },
  },
  required: ['items', 'amount'],
  additionalProperties: false,
};

describe('fieldsOf', () => {
  it('reads fields, kinds, requiredness and constraints in words', () => {
    expect(fieldsOf(PAY)).toEqual([
      expect.objectContaining({
        name: 'amount',
        kind: 'number',
        required: false,
        hint: '> 0, ≤ 1000000',
      }),
    ]);
    expect(fieldsOf(CHECKOUT_INPUT)?.map((f) => [f.name, f.kind, f.item, f.required])).toEqual([
      ['items', 'list', 'string', true],
      ['amount', 'number', undefined, true],
    ]);
    expect(
      fieldsOf({
        type: 'object',
        properties: {
          carrier: { type: 'string', enum: ['dhl', 'ups'] },
          gift: { type: 'boolean' },
          address: { type: 'object', properties: {} },
        },
      })?.map((f) => f.kind),
    ).toEqual(['enum', 'boolean', 'json']);
    expect(fieldsOf(undefined)).toBeUndefined();
    expect(fieldsOf({ type: 'string' })).toBeUndefined();
  });
});

describe('toPayload', () => {
  it('converts raw inputs by kind and leaves empty optional fields out', () => {
    const pay = fieldsOf(PAY) ?? [];
    expect(toPayload(pay, {})).toEqual({ ok: true, value: {} });
    expect(toPayload(pay, { amount: ' 40 ' })).toEqual({ ok: true, value: { amount: 40 } });
    const checkout = fieldsOf(CHECKOUT_INPUT) ?? [];
    expect(toPayload(checkout, { items: 'book\n\nlamp\n', amount: '64.5' })).toEqual({
      ok: true,
      value: { items: ['book', 'lamp'], amount: 64.5 },
    });
  });

  it('says what is wrong beside each field', () => {
    const pay = fieldsOf(PAY) ?? [];
    expect(toPayload(pay, { amount: 'lots' })).toEqual({
      ok: false,
      errors: { amount: 'a number' },
    });
    expect(toPayload(pay, { amount: '0' })).toEqual({
      ok: false,
      errors: { amount: 'more than 0' },
    });
    const checkout = fieldsOf(CHECKOUT_INPUT) ?? [];
    expect(toPayload(checkout, { items: '' })).toEqual({
      ok: false,
      errors: { items: 'required', amount: 'required' },
    });
    const json = fieldsOf({ type: 'object', properties: { meta: {} } }) ?? [];
    expect(toPayload(json, { meta: '{"a":1}' })).toEqual({ ok: true, value: { meta: { a: 1 } } });
    expect(toPayload(json, { meta: '{a' })).toEqual({
      ok: false,
      errors: { meta: 'not valid JSON' },
    });
  });
});
