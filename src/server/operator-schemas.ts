import { z } from 'zod';
import { InstanceId, MachineName } from './request-schemas.js';

/**
 * Request and response schemas of the operator's routes (audit, pending work,
 * stop, dead letters, the emit log): the server validates with the request
 * ones, and `/openapi.json` is generated from all of them.
 */

const count = (what: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,15}$/, { error: `${what} must be an integer` })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const Printable = (what: string, max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[^\p{Cc}]+$/u, { error: `${what}: no control characters` });

export const AuditQuery = z.strictObject({
  after: count('after', 0, Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('Audit entries with a greater position'),
  limit: count('limit', 1, 1000).optional().describe('Default 100, at most 1000'),
});

export const StopBody = z
  .strictObject({
    reason: z.string().min(1).max(500).optional().describe('Why: kept in the event payload'),
  })
  .describe("Stops the instance: `xstate.stop` in its history; needs the machine's `operate` rule");

export const EffectId = Printable('effect id', 1000).describe(
  'An effect id (`machine/id/seq/index`), URL-encoded',
);
export const TimerId = Printable('timer id', 1000).describe('A timer id, URL-encoded');

export const DeadLetterQuery = z.strictObject({
  machine: MachineName.optional().describe('Only dead letters of this machine'),
  kind: z.enum(['timer', 'effect']).optional().describe('Only timers, or only effects'),
  limit: count('limit', 1, 1000).optional().describe('Default 100, at most 1000 of each kind'),
});

export const SubscriberName = Printable('subscriber name', 200).describe(
  'A subscriber name: its cursor is stored under it',
);

export const EmitsQuery = z.strictObject({
  after: count('after', 0, Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('Emits with a greater position (default 0)'),
  limit: count('limit', 1, 1000).optional().describe('Default 100, at most 1000'),
});

export const EmitStreamQuery = z.strictObject({
  after: count('after', 0, Number.MAX_SAFE_INTEGER)
    .optional()
    .describe(
      'Start after this position (else Last-Event-ID, else the subscriber’s cursor, else 0)',
    ),
  subscriber: SubscriberName.optional().describe(
    'Resume from this subscriber’s durable cursor; with `ack=auto` the stream moves it',
  ),
  ack: z
    .enum(['auto', 'manual'])
    .optional()
    .describe(
      '`auto`: the cursor moves to each emit once it is written to the socket (at most once if the client then fails); `manual` (default): acknowledge with POST /v1/emits/cursors/{name} after handling (at least once)',
    ),
});

export const CursorBody = z
  .strictObject({
    position: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .describe('The last emit position handled'),
  })
  .describe('Acknowledges emits up to a position (or rewinds the cursor)');

// ---- responses ----

const Json = z.unknown();
const Actor = z.looseObject({ id: z.string(), roles: z.array(z.string()).optional() });

export const AuditRecordSchema = z.object({
  machine: z.string(),
  id: z.string(),
  position: z.number().int().describe("Position in the instance's audit log (1, 2, …)"),
  transitionId: z.string(),
  seq: z.number().int().nullable().describe('Seq the event got; null when it was not applied'),
  actor: Actor.nullable(),
  eventType: z.string(),
  from: Json,
  to: Json,
  at: z.number(),
  traceId: z.string().nullable(),
  outcome: z.enum([
    'applied',
    'rejected_invalid',
    'rejected_auth',
    'rejected_error',
    'duplicate',
    'discarded',
  ]),
  reason: z.string().nullable(),
});

export const AuditPageSchema = z.object({
  entries: z.array(AuditRecordSchema),
  next: z.number().int().nullable().describe('Pass as `after` to read on; null at the end'),
});

export const TimerRowSchema = z.object({
  machine: z.string(),
  id: z.string(),
  timerId: z.string(),
  dueAt: z.number(),
  event: z.looseObject({ type: z.string() }),
  target: z.string(),
  setBySeq: z.number().int(),
  attempts: z.number().int().optional(),
  status: z.enum(['pending', 'dead']).optional(),
  lastError: z.string().nullable().optional(),
});

export const OutboxRowSchema = z.object({
  machine: z.string(),
  id: z.string(),
  effectId: z.string(),
  seq: z.number().int(),
  index: z.number().int(),
  effect: z.looseObject({ kind: z.string() }).describe('activity.start, action, send, …'),
  attempts: z.number().int().describe('Failed attempts so far'),
  nextAttemptAt: z.number(),
  createdAt: z.number(),
  status: z.enum(['pending', 'started', 'dead']).optional(),
  lastError: z.string().nullable().optional(),
});

export const PendingWorkSchema = z.object({
  machine: z.string(),
  id: z.string(),
  status: z.enum(['active', 'done', 'error', 'stopped']),
  value: Json,
  stateEnteredAt: z.number(),
  timers: z.array(TimerRowSchema).describe('Pending timers by due time'),
  effects: z
    .array(OutboxRowSchema)
    .describe('Activities and actions not finished: running, waiting to retry, dead'),
});

export const DeadLetterSchema = z.object({
  kind: z.enum(['timer', 'effect']),
  machine: z.string(),
  id: z.string(),
  ref: z.string().describe('Path of this dead letter under /v1/dead-letters'),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  timer: TimerRowSchema.optional(),
  effect: OutboxRowSchema.optional(),
});

export const DeadLetterListSchema = z.object({
  deadLetters: z.array(DeadLetterSchema),
  truncated: z
    .boolean()
    .describe('More dead letters exist than were read: narrow by machine or raise the limit'),
});

export const DeadLetterActionSchema = z.object({
  ref: z.string(),
  retried: z.boolean().optional(),
  discarded: z.boolean().optional(),
});

export const EmitRecordSchema = z.object({
  machine: z.string(),
  id: z.string(),
  seq: z.number().int(),
  index: z.number().int(),
  effectId: z.string(),
  event: z.looseObject({ type: z.string() }),
  at: z.number(),
  position: z.number().int().describe('Store-wide position, in commit order'),
});

export const EmitPageSchema = z.object({
  emits: z.array(EmitRecordSchema),
  next: z
    .number()
    .int()
    .nullable()
    .describe('Pass as `after` to read on; null when the page reached the end of the log'),
  last: z
    .number()
    .int()
    .describe('Position of the last emit this page read past (hidden ones too)'),
});

export const CursorSchema = z.object({
  subscriber: z.string(),
  position: z.number().int(),
});

export const RetryEffectSchema = z.object({ effect: OutboxRowSchema });

// ---- bulk operations ----

export const BulkSendBody = z
  .strictObject({
    operation: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,99}$/, {
        error: 'use 1–100 letters, digits and ._:- starting with a letter or digit',
      })
      .describe(
        'The bulk operation id: each instance gets Idempotency-Key `bulk:<operation>`, so running the same operation again (after a crash) sends nothing twice',
      ),
    event: z
      .looseObject({ type: z.string().min(1).max(200) })
      .describe('The event sent to every selected instance'),
    state: z.string().min(1).max(500).optional().describe('Only instances in this state path'),
    status: z
      .enum(['active', 'done', 'error', 'stopped'])
      .optional()
      .describe('Only instances with this status (default active)'),
    minTimeInState: z
      .number()
      .int()
      .min(0)
      .max(100 * 365 * 86_400_000)
      .optional()
      .describe('Only instances in their state at least this many milliseconds'),
    limit: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe(
        'Instances handled by this request (default 100): pass `next` as `cursor` to go on',
      ),
    cursor: InstanceId.optional().describe('`next` of the previous request'),
  })
  .describe('Sends one event to a page of the instances a selection finds');

export const BulkSendResultSchema = z.object({
  operation: z.string(),
  processed: z.number().int().describe('Instances of the selection handled by this request'),
  sent: z.number().int().describe('Events applied now'),
  duplicates: z
    .number()
    .int()
    .describe('Instances this operation had reached already (an earlier run): nothing applied'),
  failed: z.number().int(),
  skipped: z.number().int().describe('Instances the caller may not read: left alone'),
  failures: z
    .array(z.object({ id: z.string(), code: z.string(), message: z.string() }))
    .describe('Per instance: why its event was not applied (the first 100)'),
  next: z.string().nullable().describe('Pass as `cursor` to handle the next page; null when done'),
});
