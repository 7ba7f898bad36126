import { z } from 'zod';
import { InstanceStateSchema } from './responses.js';

/**
 * Request and response schemas of the read routes the inspector UI needs:
 * the state at a seq (time travel) and what the caller may do. The server
 * validates with the request ones; `/openapi.json` is generated from all.
 */

export const StateAtQuery = z.strictObject({
  seq: z
    .string()
    .regex(/^\d{1,9}$/, { error: 'seq must be a positive integer' })
    .transform(Number)
    .pipe(z.number().int().min(1))
    .describe('The event to stop after (1 = creation)'),
});

const Json = z.unknown();
const Actor = z.looseObject({ id: z.string(), roles: z.array(z.string()).optional() });

export const PastStateSchema = z
  .object({
    machine: z.string(),
    id: z.string(),
    seq: z.number().int(),
    version: z.string().describe('The machine version in effect after the event'),
    value: Json,
    context: Json,
    status: InstanceStateSchema.shape.status,
    stateEnteredAt: z.number().describe('When the instance entered `value` (ms since epoch)'),
    event: z.object({
      seq: z.number().int(),
      type: z.string(),
      recordedAt: z.number(),
      actor: Actor.nullable(),
    }),
    timers: z.array(
      z.object({
        timerId: z.string(),
        dueAt: z.number(),
        setBySeq: z.number().int(),
        event: z.looseObject({ type: z.string() }),
        target: z.string(),
      }),
    ),
    activities: z.array(
      z.object({ activityId: z.string(), src: z.string(), startedBySeq: z.number().int() }),
    ),
  })
  .describe('The instance as it was after the event at `seq`, rebuilt by replay');

/** `true`, or why not. */
const Decision = z
  .union([z.literal(true), z.string()])
  .describe('true when allowed, else the reason it is not');

export const MachineAccessSchema = z.object({
  machine: z.string(),
  read: Decision,
  create: Decision,
  migrate: Decision,
  operate: Decision.describe('Stop, run effects now, retry and discard dead letters'),
  events: z.record(z.string(), Decision).describe('By event type the machine accepts somewhere'),
});

export const WhoAmISchema = z
  .object({
    authenticated: z.boolean().describe('False when the server runs without authentication'),
    enforced: z.boolean().describe('Whether policies are enforced (only with authentication)'),
    actor: Actor.nullable(),
    machines: z.array(MachineAccessSchema),
  })
  .describe(
    'Who the caller is and what its roles allow per machine; guards that look at an instance are decided by …/instances/{id}/permissions',
  );

export const InstanceAccessSchema = z
  .object({
    machine: z.string(),
    id: z.string(),
    seq: z.number().int(),
    migrate: Decision,
    operate: Decision,
    events: z.record(z.string(), Decision),
  })
  .describe("What the caller may send to this instance now: roles and the policies' guards");
