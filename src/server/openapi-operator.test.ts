import { describe, expect, it } from 'vitest';
import { harness } from './test-support/harness.js';

describe('/openapi.json: the operator routes', () => {
  it('documents every operator route with its schemas', async () => {
    const h = await harness();
    const doc = (await (await h.call('GET', '/openapi.json')).json()) as {
      paths: Record<string, Record<string, { tags?: string[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    const operator = Object.entries(doc.paths)
      .flatMap(([path, ops]) =>
        Object.entries(ops)
          .filter(([, o]) => o.tags?.includes('operator'))
          .map(([method]) => `${method.toUpperCase()} ${path}`),
      )
      .sort();
    expect(operator).toEqual(
      [
        'GET /v1/machines/{machine}/instances/{id}/audit',
        'GET /v1/machines/{machine}/instances/{id}/pending',
        'POST /v1/machines/{machine}/instances/{id}/stop',
        'POST /v1/machines/{machine}/instances/{id}/effects/{effectId}/retry',
        'GET /v1/dead-letters',
        'GET /v1/dead-letters/effects/{effectId}',
        'POST /v1/dead-letters/effects/{effectId}/retry',
        'POST /v1/dead-letters/effects/{effectId}/discard',
        'GET /v1/dead-letters/timers/{machine}/{id}/{timerId}',
        'POST /v1/dead-letters/timers/{machine}/{id}/{timerId}/retry',
        'POST /v1/dead-letters/timers/{machine}/{id}/{timerId}/discard',
        'POST /v1/machines/{machine}/bulk/send',
        'GET /v1/emits',
        'GET /v1/emits/stream',
        'GET /v1/emits/cursors/{name}',
        'POST /v1/emits/cursors/{name}',
      ].sort(),
    );
    for (const name of ['AuditPage', 'PendingWork', 'DeadLetterList', 'DeadLetter', 'EmitPage']) {
      expect(doc.components.schemas[name], name).toBeDefined();
    }
  });
});
