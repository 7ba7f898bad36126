import type { z } from 'zod';
import type { StandardSchema } from '../runtime/types.js';
import * as inspector from './inspector-schemas.js';
import { hoistDefs, standardToJsonSchema, zodToJsonSchema } from './json-schema.js';
import { inspectorPaths } from './openapi-inspector.js';
import { METRICS_TOKEN_SCHEME, type MetricsAccess, metricsPaths } from './openapi-metrics.js';
import { operatorPaths, operatorResponseSchemas } from './openapi-operator.js';
import { versioningPaths } from './openapi-versioning.js';
import {
  CreateBody,
  EventBody,
  HistoryQuery,
  IdempotencyKey,
  InstanceId,
  ListQuery,
} from './request-schemas.js';
import * as res from './responses.js';
import type { MachineSchemas } from './types.js';
import * as versioning from './versioning-schemas.js';

type Json = Record<string, unknown>;

/** What the document says about one machine. */
export interface MachineDoc {
  readonly name: string;
  readonly events: readonly string[];
  readonly schemas: MachineSchemas;
}

/**
 * The OpenAPI 3.1 document of the HTTP API, built from the same zod schemas
 * that validate requests, plus each machine's declared event and input schemas.
 */
export function openApiDocument(options: {
  readonly machines: readonly MachineDoc[];
  readonly authenticated: boolean;
  readonly version: string;
  /** Who may scrape `GET /metrics`; absent, the server has no such route. */
  readonly metrics?: MetricsAccess;
}): Json {
  const components: Json = {};
  const put = (wanted: string, schema: Json) => {
    const name = wanted.replace(/[^A-Za-z0-9._-]/g, '_');
    components[name] = hoistDefs(schema, name, components);
    return { $ref: `#/components/schemas/${name}` };
  };
  for (const [name, schema] of Object.entries(responseSchemas)) put(name, zodToJsonSchema(schema));
  const paths: Json = {
    '/healthz': { get: op('Liveness; 503 while draining', [], ok('Health'), { public: true }) },
    '/openapi.json': {
      get: op('This document', [], { 200: { description: 'OpenAPI 3.1' } }, { public: true }),
    },
    '/v1/machines': { get: op('Registered machines', [], ok('MachineList')) },
    '/v1/machines/{machine}': {
      get: op(
        "Versions, and one version's event types, event JSON Schemas, Mermaid graph and chart",
        [
          pathParam('machine', { type: 'string', enum: options.machines.map((m) => m.name) }),
          ...queryParams(versioning.MachineQuery),
        ],
        ok('MachineDetail'),
      ),
    },
  };
  for (const machine of options.machines) Object.assign(paths, machinePaths(machine, put));
  Object.assign(
    paths,
    versioningPaths(
      options.machines.map((m) => m.name),
      { op, ok, pathParam, queryParams },
    ),
  );
  for (const more of [inspectorPaths, operatorPaths]) {
    Object.assign(
      paths,
      more(
        options.machines.map((m) => m.name),
        { op, ok, pathParam, queryParams },
      ),
    );
  }
  if (options.metrics) Object.assign(paths, metricsPaths(options.metrics, { op }));
  const securitySchemes: Json = {
    ...(options.authenticated && {
      bearer: { type: 'http', scheme: 'bearer', description: 'An API key (stk_…) or a JWT' },
    }),
    ...(options.metrics === 'token' && { metricsToken: METRICS_TOKEN_SCHEME }),
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Stator',
      version: options.version,
      description:
        'Durable statecharts over HTTP. Errors are RFC 9457 problem+json with a stable `code`.',
    },
    paths,
    components: {
      schemas: components,
      responses: {
        Problem: {
          description: 'An error',
          content: {
            'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
          },
        },
      },
      ...(Object.keys(securitySchemes).length && { securitySchemes }),
    },
    ...(options.authenticated && { security: [{ bearer: [] }] }),
  };
}

const responseSchemas: Record<string, z.ZodType> = {
  InstanceState: res.InstanceStateSchema,
  CommandResult: res.CommandResultSchema,
  EventRow: res.EventRowSchema,
  HistoryPage: res.HistoryPageSchema,
  InstancePage: res.InstancePageSchema,
  MachineList: res.MachineListSchema,
  MachineDetail: res.MachineDetailSchema,
  Problem: res.ProblemSchema,
  Health: res.HealthSchema,
  WatchEvent: res.WatchEventSchema,
  VersionList: versioning.VersionListSchema,
  Assessment: versioning.AssessmentSchema,
  MigrationResult: versioning.MigrationResultSchema,
  ShadowReport: versioning.ShadowReportSchema,
  PastState: inspector.PastStateSchema,
  WhoAmI: inspector.WhoAmISchema,
  InstanceAccess: inspector.InstanceAccessSchema,
  ...operatorResponseSchemas,
};

function machinePaths(machine: MachineDoc, put: (name: string, schema: Json) => Json): Json {
  const base = `/v1/machines/${encodeURIComponent(machine.name)}/instances`;
  const tags = [machine.name];
  const id = pathParam('id', zodToJsonSchema(InstanceId));
  const idem = {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    schema: zodToJsonSchema(IdempotencyKey),
  };
  const createSchema = zodToJsonSchema(CreateBody) as Json & { properties: Json };
  if (machine.schemas.input) {
    createSchema.properties = {
      ...createSchema.properties,
      input: standardToJsonSchema(machine.schemas.input),
    };
  }
  const events = machine.events.map((type) =>
    put(`${machine.name}.${type}`, eventSchema(type, machine.schemas.events?.[type])),
  );
  const eventBody = events.length ? { oneOf: events } : zodToJsonSchema(EventBody);
  return {
    [base]: {
      post: op(`Create a ${machine.name}`, [idem], ok('CommandResult', 201), {
        tags,
        body: put(`${machine.name}.create`, createSchema),
        optionalBody: true,
      }),
      get: op(
        `List ${machine.name} instances by state, status and time in state`,
        queryParams(ListQuery),
        ok('InstancePage'),
        { tags },
      ),
    },
    [`${base}/{id}`]: { get: op('Current state', [id], ok('InstanceState'), { tags }) },
    [`${base}/{id}/events`]: {
      post: op(`Send an event to a ${machine.name}`, [id, idem], ok('CommandResult'), {
        tags,
        body: eventBody,
      }),
    },
    [`${base}/{id}/history`]: {
      get: op(
        'Accepted events, paged by seq',
        [id, ...queryParams(HistoryQuery)],
        ok('HistoryPage'),
        { tags },
      ),
    },
    [`${base}/{id}/watch`]: {
      get: op(
        'Server-sent events of every committed transition (event `transition`, id = seq); resume with Last-Event-ID',
        [
          id,
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            schema: { type: 'string', pattern: '^\\d+$' },
          },
        ],
        {
          200: {
            description: 'text/event-stream; each data line is a WatchEvent',
            content: {
              'text/event-stream': { schema: { $ref: '#/components/schemas/WatchEvent' } },
            },
          },
        },
        { tags },
      ),
    },
  };
}

/** The event's JSON Schema: `type` fixed to the event type, its payload schema (if declared) beside it. */
function eventSchema(type: string, schema: StandardSchema | undefined): Json {
  const typeProp = { type: { const: type } };
  if (!schema) return { type: 'object', properties: typeProp, required: ['type'] };
  const payload = standardToJsonSchema(schema) as Json & { properties?: Json; required?: string[] };
  if (payload.type === 'object' && payload.properties) {
    return {
      ...payload,
      properties: { ...typeProp, ...payload.properties },
      required: ['type', ...(payload.required ?? [])],
    };
  }
  return { allOf: [{ type: 'object', properties: typeProp, required: ['type'] }, payload] };
}

function queryParams(schema: z.ZodObject): Json[] {
  return Object.entries(schema.shape).map(([name, field]) => {
    const json = zodToJsonSchema(field as z.ZodType);
    const { description, ...rest } = json;
    return {
      name,
      in: 'query',
      required: false,
      schema: rest,
      ...(description !== undefined && { description }),
    };
  });
}

function pathParam(name: string, schema: Json): Json {
  return { name, in: 'path', required: true, schema };
}

function ok(schema: string, status = 200): Json {
  return {
    [status]: {
      description: 'OK',
      content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
    },
  };
}

function op(
  summary: string,
  parameters: Json[],
  responses: Json,
  extra: { tags?: string[]; body?: Json; optionalBody?: boolean; public?: boolean } = {},
): Json {
  return {
    summary,
    ...(extra.tags && { tags: extra.tags }),
    ...(parameters.length && { parameters }),
    ...(extra.body && {
      requestBody: {
        required: !extra.optionalBody,
        content: { 'application/json': { schema: extra.body } },
      },
    }),
    responses: {
      ...responses,
      '4XX': { $ref: '#/components/responses/Problem' },
      '5XX': { $ref: '#/components/responses/Problem' },
    },
    ...(extra.public && { security: [] }),
  };
}
