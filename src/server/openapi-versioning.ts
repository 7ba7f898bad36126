import type { z } from 'zod';
import { zodToJsonSchema } from './json-schema.js';
import { IdempotencyKey, InstanceId } from './request-schemas.js';
import { DiffQuery, MigrateBody, ShadowBody } from './versioning-schemas.js';

type Json = Record<string, unknown>;

/** The helpers of openapi.ts this file builds with. */
export interface OpBuilders {
  op(
    summary: string,
    parameters: Json[],
    responses: Json,
    extra?: { tags?: string[]; body?: Json; optionalBody?: boolean; public?: boolean },
  ): Json;
  ok(schema: string, status?: number): Json;
  pathParam(name: string, schema: Json): Json;
  queryParams(schema: z.ZodObject): Json[];
}

/** The versioning routes in the OpenAPI document. */
export function versioningPaths(machines: readonly string[], b: OpBuilders): Json {
  const tags = ['versions'];
  const machine = b.pathParam('machine', { type: 'string', enum: [...machines] });
  const id = b.pathParam('id', zodToJsonSchema(InstanceId));
  const idem = {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    schema: zodToJsonSchema(IdempotencyKey),
  };
  return {
    '/v1/machines/{machine}/versions': {
      get: b.op(
        'Every version the store knows: fingerprint, live instances by state, rollout share, whether it can be retired; the live shadow run',
        [machine],
        b.ok('VersionList'),
        { tags },
      ),
    },
    '/v1/machines/{machine}/diff': {
      get: b.op(
        "What moving instances from one version to another does: each change's verdict (safe, care, review, risky, blocked) for the live instances, with the declared migration's mapping",
        [machine, ...b.queryParams(DiffQuery)],
        b.ok('Assessment'),
        { tags },
      ),
    },
    '/v1/machines/{machine}/shadow': {
      post: b.op(
        'Replay recorded histories on a candidate version beside the versions that ran them; report where they first differ (nothing is written or run)',
        [machine],
        b.ok('ShadowReport'),
        { tags, body: zodToJsonSchema(ShadowBody) },
      ),
    },
    '/v1/machines/{machine}/instances/{id}/migrate': {
      post: b.op(
        "Move an instance to another version (the declared migration maps its state and context); one `stator.migrated` event in its history. Needs the machine's `migrate` policy rule",
        [machine, id, idem],
        b.ok('MigrationResult'),
        { tags, body: zodToJsonSchema(MigrateBody) },
      ),
    },
  };
}
