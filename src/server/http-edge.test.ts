import { describe, expect, it } from 'vitest';
import { ERROR_CODES, StatorError } from '../core/errors.js';
import { toProblem } from './problem.js';
import { HTTP_STATUS } from './status.js';
import { harness, ORDERS, problemOf } from './test-support/harness.js';

const events = `${ORDERS}/o-1/events`;

describe('status mapping', () => {
  it('maps every error code to a 4xx or 5xx status', () => {
    for (const code of ERROR_CODES) expect(HTTP_STATUS[code]).toBeGreaterThanOrEqual(400);
    expect(HTTP_STATUS.VALIDATION_FAILED).toBe(400);
    expect(HTTP_STATUS.EVENT_NOT_ACCEPTED).toBe(409);
    expect(HTTP_STATUS.STEP_FAILED).toBe(422);
    expect(HTTP_STATUS.ENGINE_CLOSED).toBe(503);
  });

  it('turns unknown errors into INTERNAL_ERROR without leaking their message', () => {
    const problem = toProblem(new Error('secret table name'), '/x');
    expect(problem).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', instance: '/x' });
    expect(problem.detail).not.toContain('secret');
  });

  it('keeps details of StatorErrors', () => {
    const problem = toProblem(new StatorError('FORBIDDEN', 'no', { reason: 'r' }), '/y');
    expect(problem).toEqual({
      type: 'urn:stator:problem:forbidden',
      title: 'Forbidden',
      status: 403,
      detail: 'no',
      code: 'FORBIDDEN',
      instance: '/y',
      details: { reason: 'r' },
    });
  });
});

describe('request bodies', () => {
  const send = async (body: RequestInit['body'] | undefined, headers: Record<string, string>) => {
    const h = await harness({ bodyLimit: 1024 });
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    const res = await h.app.request(events, {
      method: 'POST',
      headers,
      ...(body !== undefined && { body }),
    });
    return { res, problem: await problemOf(res), h };
  };
  const json = { 'content-type': 'application/json' };

  it.each([
    ['malformed JSON', '{"type":', json, 400, 'VALIDATION_FAILED'],
    ['no body', undefined, json, 400, 'VALIDATION_FAILED'],
    ['a JSON string', '"Pay"', json, 400, 'VALIDATION_FAILED'],
    ['a missing type', '{"amount":1}', json, 400, 'VALIDATION_FAILED'],
    ['a numeric type', '{"type":7}', json, 400, 'VALIDATION_FAILED'],
    ['a reserved type', '{"type":"xstate.init"}', json, 400, 'VALIDATION_FAILED'],
    [
      'deep nesting',
      `{"type":"Pay","a":${'['.repeat(100)}${']'.repeat(100)}}`,
      json,
      400,
      'VALIDATION_FAILED',
    ],
    [
      'text/plain',
      '{"type":"Pay"}',
      { 'content-type': 'text/plain' },
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    ],
    ['no content type', '{"type":"Pay"}', {}, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    [
      'a body over the limit',
      JSON.stringify({ type: 'Pay', pad: 'x'.repeat(2000) }),
      json,
      413,
      'PAYLOAD_TOO_LARGE',
    ],
    ['invalid UTF-8', new Uint8Array([0x22, 0xff, 0x22]), json, 400, 'VALIDATION_FAILED'],
  ])('given %s, then %i %s and nothing appended', async (_, body, headers, status, code) => {
    const { res, problem, h } = await send(body, headers);
    expect(res.status).toBe(status);
    expect(problem.code).toBe(code);
    expect((await h.engine.history('order', 'o-1')).events).toHaveLength(1);
  });

  it('accepts application/*+json with parameters', async () => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    const res = await h.app.request(events, {
      method: 'POST',
      headers: { 'content-type': 'application/vnd.api+json; charset=utf-8' },
      body: '{"type":"Pay"}',
    });
    expect(res.status).toBe(200);
  });
});

describe('routes', () => {
  it('answers unknown routes with 404 NOT_FOUND and wrong methods with 405 and Allow', async () => {
    const h = await harness();
    const missing = await h.call('GET', '/v2/nothing');
    expect(await problemOf(missing)).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const wrong = await h.call('DELETE', `${ORDERS}/o-1`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
    expect(await problemOf(wrong)).toMatchObject({ code: 'METHOD_NOT_ALLOWED' });
    expect((await h.call('PUT', ORDERS)).headers.get('allow')).toBe('GET, POST');
  });

  it('reports health, and draining (503) once shutdown starts, refusing new work', async () => {
    const h = await harness();
    expect(await (await h.call('GET', '/healthz')).json()).toEqual({ status: 'ok' });
    h.shutdown.abort();
    const health = await h.call('GET', '/healthz');
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ status: 'draining' });
    const refused = await h.call('POST', ORDERS, { id: 'o-1', input: { total: 1 } });
    expect(await problemOf(refused)).toMatchObject({ status: 503, code: 'ENGINE_CLOSED' });
  });
});

describe('machines', () => {
  it('lists machines', async () => {
    const h = await harness();
    expect(await (await h.call('GET', '/v1/machines')).json()).toEqual({
      machines: [
        { name: 'order', versions: ['1'], latest: '1', transitionsPerMinute: 0 },
        { name: 'checkout', versions: ['1'], latest: '1', transitionsPerMinute: 0 },
      ],
    });
  });

  it('describes one machine: versions, event types, JSON Schemas and the Mermaid graph', async () => {
    const h = await harness();
    const detail = (await (await h.call('GET', '/v1/machines/order')).json()) as Record<
      string,
      unknown
    >;
    expect(detail).toMatchObject({ name: 'order', versions: ['1'], latest: '1' });
    expect(detail.events).toEqual(
      expect.arrayContaining(['Pay', 'Pack', 'Ship', 'Deliver', 'Cancel']),
    );
    expect(detail.schemas).toMatchObject({
      events: { Pay: { type: 'object', properties: { amount: { type: 'number' } } } },
      input: { properties: { total: { type: 'number' } } },
    });
    expect(detail.graph).toContain('order_pending --> order_paid : Pay [paidInFull]');
    const missing = await h.call('GET', '/v1/machines/ghost');
    expect(await problemOf(missing)).toMatchObject({ status: 404, code: 'MACHINE_NOT_FOUND' });
  });
});
