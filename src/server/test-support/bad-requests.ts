import fc from 'fast-check';

export interface BadRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
}

export const ORDERS = '/v1/machines/order/instances';
const EVENTS = `${ORDERS}/o-1/events`;

const notJson = fc.string({ maxLength: 60 }).filter((s) => {
  try {
    JSON.parse(s);
    return false;
  } catch {
    return true;
  }
});
const nonString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.integer(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 3 }), fc.integer(), { maxKeys: 2 }),
);
const badId = fc.oneof(
  fc.string({ minLength: 201, maxLength: 260, unit: fc.constantFrom('a', 'b', '1') }),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((s) => !/^[A-Za-z0-9][A-Za-z0-9._:@~-]{0,199}$/.test(s) && s !== '.' && s !== '..'),
);
const otherId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._~-]{0,30}$/).filter((s) => s !== 'o-1');
const badType = fc.oneof(
  fc.constant(''),
  fc.string({ minLength: 201, maxLength: 230, unit: fc.constantFrom('x', 'y') }),
  fc.string({ maxLength: 20 }).map((s) => `xstate.${s}`),
);
const badAmount = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.boolean(),
  fc.constant(0),
  fc.integer({ max: -1 }),
  fc.double({ min: 1_000_001, max: 1e12, noNaN: true }),
  fc.array(fc.integer(), { maxLength: 2 }),
);
const badToken = fc.oneof(
  fc.constant(''),
  fc.string({ minLength: 1, maxLength: 80, unit: fc.constantFrom('a', 'Z', '0', '.', '_', '-') }),
  fc
    .string({ minLength: 10, maxLength: 60, unit: fc.constantFrom('a', 'b', 'f', '0', '9') })
    .map((s) => `stk_${s}`),
);

/**
 * Requests that must be refused before anything is recorded, against a server
 * holding one instance `order/o-1`: malformed or mistyped bodies, payloads that
 * fail the schema, bad ids, unknown instances and machines, huge bodies, wrong
 * media types, bad or missing credentials, bad headers and query parameters,
 * wrong methods and unknown routes. `token` is a valid API key, used where the
 * request should fail for another reason.
 */
/** Valid JSON that is not an object: numbers, strings, booleans, null, arrays. */
const notAnObject = fc
  .jsonValue({ maxDepth: 2 })
  .filter((v) => typeof v !== 'object' || v === null || Array.isArray(v));

export function badRequests(token: string): fc.Arbitrary<BadRequest> {
  const json = (extra: Record<string, string> = {}) => ({
    'content-type': 'application/json',
    authorization: `Bearer ${token}`,
    ...extra,
  });
  const auth = () => ({ authorization: `Bearer ${token}` });
  return fc.oneof(
    fc.tuple(fc.constantFrom(EVENTS, ORDERS), notAnObject).map(([path, value]) => ({
      method: 'POST',
      path,
      headers: json(),
      body: JSON.stringify(value),
    })),
    notJson.map((body) => ({ method: 'POST', path: EVENTS, headers: json(), body })),
    notJson.map((body) => ({ method: 'POST', path: ORDERS, headers: json(), body })),
    nonString.map((type) => ({
      method: 'POST',
      path: EVENTS,
      headers: json(),
      body: JSON.stringify({ type }),
    })),
    badType.map((type) => ({
      method: 'POST',
      path: EVENTS,
      headers: json(),
      body: JSON.stringify({ type }),
    })),
    badAmount.map((amount) => ({
      method: 'POST',
      path: EVENTS,
      headers: json(),
      body: JSON.stringify({ type: 'Pay', amount }),
    })),
    fc
      .dictionary(
        fc.string({ minLength: 1, maxLength: 8 }).filter((k) => k !== 'amount' && k !== 'type'),
        fc.jsonValue({ maxDepth: 2 }),
        { minKeys: 1, maxKeys: 3 },
      )
      .map((extra) => ({
        method: 'POST',
        path: EVENTS,
        headers: json(),
        body: JSON.stringify({ ...extra, type: 'Pay' }),
      })),
    fc
      .record({ id: nonString, input: fc.jsonValue({ maxDepth: 2 }) })
      .map((b) => ({ method: 'POST', path: ORDERS, headers: json(), body: JSON.stringify(b) })),
    fc
      .record({
        id: otherId,
        input: fc.oneof(
          fc.constant(undefined),
          fc
            .jsonValue({ maxDepth: 2 })
            .filter(
              (v) =>
                !(
                  typeof v === 'object' &&
                  v !== null &&
                  !Array.isArray(v) &&
                  typeof (v as { total?: unknown }).total === 'number'
                ),
            ),
        ),
      })
      .map((b) => ({ method: 'POST', path: ORDERS, headers: json(), body: JSON.stringify(b) })),
    fc
      .record({
        id: otherId,
        input: fc.constant({ total: 1 }),
        extra: fc.jsonValue({ maxDepth: 1 }),
      })
      .map((b) => ({ method: 'POST', path: ORDERS, headers: json(), body: JSON.stringify(b) })),
    badId.map((id) => ({
      method: 'POST',
      path: `${ORDERS}/${encodeURIComponent(id)}/events`,
      headers: json(),
      body: '{"type":"Pay"}',
    })),
    badId.map((id) => ({
      method: 'GET',
      path: `${ORDERS}/${encodeURIComponent(id)}`,
      headers: auth(),
    })),
    otherId.map((id) => ({
      method: 'POST',
      path: `${ORDERS}/${id}/events`,
      headers: json(),
      body: '{"type":"Pay"}',
    })),
    otherId.map((id) => ({ method: 'GET', path: `${ORDERS}/${id}/history`, headers: auth() })),
    fc.integer({ min: 4097, max: 40_000 }).map((n) => ({
      method: 'POST',
      path: EVENTS,
      headers: json(),
      body: JSON.stringify({ type: 'Pay', pad: 'x'.repeat(n) }),
    })),
    fc
      .constantFrom(
        'text/plain',
        'application/xml',
        'multipart/form-data; boundary=x',
        'application/x-www-form-urlencoded',
      )
      .map((type) => ({
        method: 'POST',
        path: EVENTS,
        headers: { ...auth(), 'content-type': type },
        body: '{"type":"Pay"}',
      })),
    badToken.map((t) => ({
      method: 'POST',
      path: EVENTS,
      headers: { 'content-type': 'application/json', ...(t && { authorization: `Bearer ${t}` }) },
      body: '{"type":"Pay"}',
    })),
    fc
      .string({ minLength: 201, maxLength: 240, unit: fc.constantFrom('k', 'e', 'y') })
      .map((key) => ({
        method: 'POST',
        path: EVENTS,
        headers: json({ 'idempotency-key': key }),
        body: '{"type":"Pay"}',
      })),
    fc
      .dictionary(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ maxLength: 10 }), {
        minKeys: 1,
        maxKeys: 3,
      })
      .map((q) => ({
        method: 'GET',
        path: `${ORDERS}?${new URLSearchParams({ limit: '0', ...q })}`,
        headers: auth(),
      })),
    fc
      .oneof(
        fc.constant('-1'),
        fc.constant('abc'),
        fc.string({ minLength: 1, maxLength: 5, unit: fc.constantFrom('x', '-', '.') }),
      )
      .map((v) => ({
        method: 'GET',
        path: `${ORDERS}/o-1/history?after=${encodeURIComponent(v)}`,
        headers: auth(),
      })),
    fc
      .string({ minLength: 1, maxLength: 20, unit: fc.constantFrom('a', '-', 'x', ' ') })
      .map((v) => ({
        method: 'GET',
        path: `${ORDERS}/o-1/watch`,
        headers: { ...auth(), 'last-event-id': v },
      })),
    fc
      .tuple(
        fc.constantFrom('PUT', 'DELETE', 'PATCH'),
        fc.constantFrom(ORDERS, `${ORDERS}/o-1`, EVENTS, '/v1/machines'),
      )
      .map(([method, path]) => ({ method, path, headers: json(), body: '{}' })),
    fc
      .array(
        fc.string({
          minLength: 1,
          maxLength: 12,
          unit: fc.constantFrom('a', 'z', '%41', '~', '-'),
        }),
        { minLength: 1, maxLength: 6 },
      )
      .map((parts) => ({ method: 'GET', path: `/${parts.join('/')}`, headers: auth() })),
    otherId.map((machine) => ({
      method: 'POST',
      path: `/v1/machines/${machine}/instances/o-1/events`,
      headers: json(),
      body: '{"type":"Pay"}',
    })),
  );
}
