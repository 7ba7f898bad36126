import { z } from 'zod';
import { PROBLEM_CODES } from './http-errors.js';

/** Response shapes, for the OpenAPI document only (the engine produces these values). */

const Json = z.unknown();
const Actor = z.looseObject({ id: z.string(), roles: z.array(z.string()).optional() });

export const InstanceStateSchema = z.object({
  machine: z.string(),
  id: z.string(),
  version: z.string(),
  value: Json.describe('XState state value: a string, or an object for nested states'),
  context: Json,
  status: z.enum(['active', 'done', 'error', 'stopped']),
  seq: z.number().int().describe('Sequence of the last applied event (1 = creation)'),
  stateEnteredAt: z.number().describe('ms since epoch'),
  createdAt: z.number(),
  updatedAt: z.number(),
});

export const CommandResultSchema = InstanceStateSchema.extend({
  duplicate: z.boolean().describe('True when this is the recorded result of a repeated key'),
});

export const EventRowSchema = z.object({
  machine: z.string(),
  id: z.string(),
  seq: z.number().int(),
  type: z.string(),
  payload: z.record(z.string(), Json),
  actor: Actor.nullable(),
  recordedAt: z.number(),
  idempotencyKey: z.string().nullable(),
  traceContext: z.record(z.string(), z.string()).nullable(),
});

export const HistoryPageSchema = z.object({
  events: z.array(EventRowSchema),
  next: z.number().int().nullable().describe('Pass as `after` to read on; null at the end'),
});

export const InstancePageSchema = z.object({
  instances: z.array(InstanceStateSchema),
  next: z.string().nullable().describe('Pass as `cursor` to read on; null at the end'),
});

export const MachineSummarySchema = z.object({
  name: z.string(),
  versions: z.array(z.string()),
  latest: z.string(),
});

export const MachineListSchema = z.object({
  machines: z.array(
    MachineSummarySchema.extend({
      transitionsPerMinute: z
        .number()
        .int()
        .describe('Transitions this server committed in the last 60 seconds'),
    }),
  ),
});

export const MachineDetailSchema = MachineSummarySchema.extend({
  version: z.string().describe('The version described (`?version=`, default the newest)'),
  events: z.array(z.string()).describe('Event types the definition handles'),
  schemas: z.object({
    events: z.record(z.string(), Json).describe('JSON Schema of each declared event payload'),
    input: Json.optional(),
  }),
  graph: z.string().describe('Mermaid stateDiagram-v2 of the version'),
});

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.enum(PROBLEM_CODES as [string, ...string[]]),
    instance: z.string(),
    details: z.record(z.string(), Json).optional(),
  })
  .describe('RFC 9457 problem details with Stator’s stable error code');

export const HealthSchema = z.object({ status: z.enum(['ok', 'draining']) });

export const WatchEventSchema = z
  .object({ event: EventRowSchema, state: InstanceStateSchema.nullable() })
  .describe(
    'SSE `transition` message data (id = seq). `state` is null for events replayed from history.',
  );
