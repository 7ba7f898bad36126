import { zodToJsonSchema } from './json-schema.js';
import type { OpBuilders } from './openapi-versioning.js';
import * as op from './operator-schemas.js';
import { IdempotencyKey, InstanceId } from './request-schemas.js';

type Json = Record<string, unknown>;

/** Response schemas of the operator's routes, by component name. */
export const operatorResponseSchemas = {
  AuditPage: op.AuditPageSchema,
  PendingWork: op.PendingWorkSchema,
  RetriedEffect: op.RetryEffectSchema,
  DeadLetter: op.DeadLetterSchema,
  DeadLetterList: op.DeadLetterListSchema,
  DeadLetterAction: op.DeadLetterActionSchema,
  EmitPage: op.EmitPageSchema,
  EmitRecord: op.EmitRecordSchema,
  Cursor: op.CursorSchema,
  BulkSendResult: op.BulkSendResultSchema,
};

/** The operator's routes in the OpenAPI document: audit, pending work, stop, retries, dead letters. */
export function operatorPaths(machines: readonly string[], b: OpBuilders): Json {
  const tags = ['operator'];
  const machine = b.pathParam('machine', { type: 'string', enum: [...machines] });
  const id = b.pathParam('id', zodToJsonSchema(InstanceId));
  const effectId = b.pathParam('effectId', zodToJsonSchema(op.EffectId));
  const timerId = b.pathParam('timerId', zodToJsonSchema(op.TimerId));
  const name = b.pathParam('name', zodToJsonSchema(op.SubscriberName));
  const idem = {
    name: 'Idempotency-Key',
    in: 'header',
    required: false,
    schema: zodToJsonSchema(IdempotencyKey),
  };
  const instance = '/v1/machines/{machine}/instances/{id}';
  const letter = (params: Json[], what: string) => ({
    get: b.op(`One dead ${what}`, params, b.ok('DeadLetter'), { tags }),
  });
  const action = (params: Json[], summary: string) => ({
    post: b.op(summary, params, b.ok('DeadLetterAction'), { tags }),
  });
  const effect = '/v1/dead-letters/effects/{effectId}';
  const timer = '/v1/dead-letters/timers/{machine}/{id}/{timerId}';
  const retry =
    "Put the dead letter back in line, due now, attempts reset. Needs the machine's `operate` rule";
  const discard =
    "Delete the dead letter for good; its instance's audit log records it (`stator.dead-letter.discarded`). Needs the `operate` rule";
  return {
    [`${instance}/audit`]: {
      get: b.op(
        'The audit log: every decision about an event (applied, rejected, discarded), by whom, from where to where; paged by position',
        [machine, id, ...b.queryParams(op.AuditQuery)],
        b.ok('AuditPage'),
        { tags },
      ),
    },
    [`${instance}/pending`]: {
      get: b.op(
        'What the instance waits for: its pending timers, and its activities and actions not finished (running, waiting to retry with their last error, dead)',
        [machine, id],
        b.ok('PendingWork'),
        { tags },
      ),
    },
    [`${instance}/stop`]: {
      post: b.op(
        "Stop the instance: `xstate.stop` in its history, its activities stopped, its timers deleted; it accepts no events afterwards. Needs the machine's `operate` rule",
        [machine, id, idem],
        b.ok('CommandResult'),
        { tags, body: zodToJsonSchema(op.StopBody), optionalBody: true },
      ),
    },
    [`${instance}/effects/{effectId}/retry`]: {
      post: b.op(
        "Run an effect that failed and waits for its next attempt now. Needs the machine's `operate` rule",
        [machine, id, effectId],
        b.ok('RetriedEffect'),
        { tags },
      ),
    },
    '/v1/dead-letters': {
      get: b.op(
        'Timers and effects that failed their last retry, with their last error (only instances the caller may read)',
        b.queryParams(op.DeadLetterQuery),
        b.ok('DeadLetterList'),
        { tags },
      ),
    },
    '/v1/emits': {
      get: b.op(
        'The store-wide log of `emit(...)`ed events, in commit order, paged by position (only instances the caller may read; `last` moves past the others)',
        b.queryParams(op.EmitsQuery),
        b.ok('EmitPage'),
        { tags },
      ),
    },
    '/v1/emits/stream': {
      get: b.op(
        'Server-sent events of the emit log (event `emit`, id = position): the log after the start position, then live emits. Resume with `after`, Last-Event-ID, or a named subscriber’s durable cursor',
        [
          ...b.queryParams(op.EmitStreamQuery),
          {
            name: 'Last-Event-ID',
            in: 'header',
            required: false,
            schema: { type: 'string', pattern: '^\\d+$' },
          },
        ],
        {
          200: {
            description: 'text/event-stream; each data line is an EmitRecord',
            content: {
              'text/event-stream': { schema: { $ref: '#/components/schemas/EmitRecord' } },
            },
          },
        },
        { tags },
      ),
    },
    '/v1/emits/cursors/{name}': {
      get: b.op(
        "A named subscriber's cursor: the last position it handled (0 when new)",
        [name],
        b.ok('Cursor'),
        {
          tags,
        },
      ),
      post: b.op(
        'Acknowledge emits up to a position (or rewind): the stream resumes after it',
        [name],
        b.ok('Cursor'),
        { tags, body: zodToJsonSchema(op.CursorBody) },
      ),
    },
    '/v1/machines/{machine}/bulk/send': {
      post: b.op(
        "Send one event to a page of the instances a selection finds (state, status, time in state), with a summary and the next page's cursor. Each instance gets Idempotency-Key `bulk:<operation>`: rerunning the operation sends nothing twice. Needs the machine's `operate` rule",
        [machine],
        b.ok('BulkSendResult'),
        { tags, body: zodToJsonSchema(op.BulkSendBody) },
      ),
    },
    [effect]: letter([effectId], 'effect'),
    [`${effect}/retry`]: action([effectId], retry),
    [`${effect}/discard`]: action([effectId], discard),
    [timer]: letter([machine, id, timerId], 'timer'),
    [`${timer}/retry`]: action([machine, id, timerId], retry),
    [`${timer}/discard`]: action([machine, id, timerId], discard),
  };
}
