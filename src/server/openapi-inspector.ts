import { StateAtQuery } from './inspector-schemas.js';
import { zodToJsonSchema } from './json-schema.js';
import type { OpBuilders } from './openapi-versioning.js';
import { InstanceId } from './request-schemas.js';

type Json = Record<string, unknown>;

/** The inspector's read routes in the OpenAPI document (schemas: inspector-schemas.ts). */
export function inspectorPaths(machines: readonly string[], b: OpBuilders): Json {
  const tags = ['inspector'];
  const machine = b.pathParam('machine', { type: 'string', enum: [...machines] });
  const id = b.pathParam('id', zodToJsonSchema(InstanceId));
  return {
    '/v1/whoami': {
      get: b.op(
        'Who the caller is, and per machine what its roles allow (read, create, migrate, each event type); a denial says why',
        [],
        b.ok('WhoAmI'),
        { tags },
      ),
    },
    '/v1/machines/{machine}/instances/{id}/state': {
      get: b.op(
        'The instance as it was right after the event at `seq` (time travel): state, context, version, pending timers and running activities, rebuilt by the pure step across recorded migrations; nothing is run or written',
        [machine, id, ...b.queryParams(StateAtQuery)],
        b.ok('PastState'),
        { tags },
      ),
    },
    '/v1/machines/{machine}/instances/{id}/permissions': {
      get: b.op(
        "What the caller may send to the instance now (roles and the policies' guards on its current state); a denial says why",
        [machine, id],
        b.ok('InstanceAccess'),
        { tags },
      ),
    },
  };
}
