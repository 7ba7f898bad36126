import { describe, expect, it } from 'vitest';
import type { Store } from '../store/types.js';
import { harness } from './test-support/harness.js';

type Doc = Record<string, unknown> & {
  paths: Record<
    string,
    Record<string, { parameters?: { name: string; in: string }[]; responses: object }>
  >;
  components: { schemas: Record<string, Record<string, unknown>> };
};

/** Every `$ref` in the document, and whether it resolves. */
function refs(doc: unknown): string[] {
  const out: string[] = [];
  const visit = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (typeof v === 'object' && v !== null) {
      for (const [k, child] of Object.entries(v)) {
        if (k === '$ref' && typeof child === 'string') out.push(child);
        else visit(child);
      }
    }
  };
  visit(doc);
  return out;
}

function resolve(doc: unknown, ref: string): unknown {
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

describe('/openapi.json', () => {
  it('is an OpenAPI 3.1 document whose references all resolve and path parameters are declared', async () => {
    const h = await harness();
    const doc = (await (await h.call('GET', '/openapi.json')).json()) as Doc;
    expect(doc.openapi).toBe('3.1.0');
    for (const ref of refs(doc)) {
      expect(ref.startsWith('#/'), ref).toBe(true);
      expect(resolve(doc, ref), ref).toBeDefined();
    }
    for (const [path, ops] of Object.entries(doc.paths)) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const op of Object.values(ops)) {
        expect(op.responses).toBeTypeOf('object');
        const declared = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
        expect(declared.sort(), path).toEqual(templated.sort());
      }
    }
  });

  it('contains the event payload schemas the machine declares, and its input schema', async () => {
    const h = await harness();
    const doc = (await (await h.call('GET', '/openapi.json')).json()) as Doc;
    const pay = doc.components.schemas['order.Pay'];
    expect(pay).toMatchObject({
      type: 'object',
      properties: { type: { const: 'Pay' }, amount: { type: 'number', exclusiveMinimum: 0 } },
      required: ['type'],
      additionalProperties: false,
    });
    expect(doc.components.schemas['order.create']).toMatchObject({
      properties: { input: { properties: { total: { type: 'number' } }, required: ['total'] } },
    });
    const send = doc.paths['/v1/machines/order/instances/{id}/events']?.post as unknown as {
      requestBody: { content: { 'application/json': { schema: { oneOf: unknown[] } } } };
    };
    expect(send.requestBody.content['application/json'].schema.oneOf).toContainEqual({
      $ref: '#/components/schemas/order.Pay',
    });
  });

  it('declares bearer security only when authentication is on', async () => {
    const open = (await (await (await harness()).call('GET', '/openapi.json')).json()) as Doc;
    expect(open.security).toBeUndefined();
    const h = await harness({ auth: (store) => ({ apiKeys: store }) });
    const secured = (await (await h.call('GET', '/openapi.json')).json()) as Doc;
    expect(secured.security).toEqual([{ bearer: [] }]);
  });

  it('documents GET /metrics, when served, as Prometheus text with who may scrape it', async () => {
    const registry = { metrics: async () => '', contentType: 'text/plain; version=0.0.4' };
    const docOf = async (options: Parameters<typeof harness>[0]) =>
      (await (await (await harness(options)).call('GET', '/openapi.json')).json()) as Doc;
    const scrape = (doc: Doc) => doc.paths['/metrics']?.get as Record<string, unknown> | undefined;

    expect((await docOf({})).paths['/metrics']).toBeUndefined();
    const open = scrape(await docOf({ metrics: { registry } }));
    expect(open).toMatchObject({
      responses: { 200: { content: { 'text/plain': { schema: { type: 'string' } } } } },
      security: [],
    });
    const auth = (store: Store) => ({ apiKeys: store });
    // Any authenticated caller: the document's bearer applies.
    expect(scrape(await docOf({ auth, metrics: { registry } }))?.security).toBeUndefined();
    expect(scrape(await docOf({ auth, metrics: { registry, public: true } }))?.security).toEqual(
      [],
    );
    const tokened = await docOf({ auth, metrics: { registry, token: 'scrape-me' } });
    expect(scrape(tokened)?.security).toEqual([{ metricsToken: [] }]);
    expect(tokened.components).toMatchObject({
      securitySchemes: { bearer: {}, metricsToken: { type: 'http', scheme: 'bearer' } },
    });
  });
});
