import { z } from 'zod';
import { InstanceId, Version } from './request-schemas.js';

export { Version };

/**
 * Request and response schemas of the versioning routes: the server validates
 * with the request ones, and `/openapi.json` is generated from all of them.
 */

export const MachineQuery = z.strictObject({
  version: Version.optional().describe('Describe this registered version (default: the newest)'),
});

export const DiffQuery = z.strictObject({
  from: Version.describe('The version instances are on'),
  to: Version.describe('The version they would move to'),
});

export const MigrateBody = z
  .strictObject({
    to: Version.describe('The version to move the instance to'),
    dryRun: z
      .boolean()
      .optional()
      .describe('Work out the move (state, timers, activities) without committing it'),
  })
  .describe(
    "Moves an instance to another version: the module's declared migration maps its state and context",
  );

export const ShadowBody = z
  .strictObject({
    candidate: Version.describe('The registered version to replay the histories on'),
    sample: z
      .number()
      .int()
      .min(1)
      .max(100_000)
      .optional()
      .describe('Examine at most this many instances (in id order). Default 1,000'),
    ids: z.array(InstanceId).min(1).max(1000).optional().describe('Only these instances'),
  })
  .describe('Replays recorded histories on a candidate version beside the versions that ran them');

const Json = z.unknown();

export const VersionInfoSchema = z.object({
  version: z.string(),
  fingerprint: z.string().describe('Hash of the normalized definition source'),
  registeredAt: z.number().describe('When the store first saw this version (ms since epoch)'),
  registered: z.boolean().describe('Registered in this server (else only known to the store)'),
  latest: z.boolean().describe('New instances start on it when no rollout says otherwise'),
  share: z.number().optional().describe('Its rollout share of new instances'),
  live: z.object({
    total: z.number().int(),
    states: z.record(z.string(), z.number().int()).describe('Live instances by state key'),
  }),
  retirable: z.boolean().describe('No live instance: it can be unregistered'),
});

export const VersionListSchema = z.object({
  machine: z.string(),
  versions: z.array(VersionInfoSchema),
  shadow: z
    .object({
      candidate: z.string(),
      compared: z.number().int(),
      diverged: z.number().int(),
      skipped: z.number().int(),
    })
    .optional()
    .describe('The live shadow run of this machine, when the module configures one'),
});

const Verdict = z.enum(['safe', 'care', 'review', 'risky', 'blocked']);

export const AssessmentSchema = z.object({
  machine: z.string(),
  from: z.string(),
  to: z.string(),
  verdict: Verdict.describe('The worst verdict of any change'),
  blocked: z.boolean().describe('A change is blocked for live instances: migrate them first'),
  states: z.array(
    z.object({
      state: z.string(),
      live: z.number().int().optional(),
      verdict: Verdict,
      reasons: z.array(z.string()),
    }),
  ),
  changes: z.array(
    z.looseObject({
      kind: z.string(),
      verdict: Verdict,
      state: z.string(),
      event: z.string().optional(),
      renamedTo: z.string().optional(),
      detail: z.string(),
      live: z.number().int().optional(),
    }),
  ),
});

export const MigrationResultSchema = z.looseObject({
  machine: z.string(),
  id: z.string(),
  version: z.string(),
  value: Json,
  context: Json,
  duplicate: z.boolean(),
  migrated: z.boolean().describe('False when already on the target version, or on a dry run'),
  from: z.string(),
  effects: z
    .array(z.object({ kind: z.string(), id: z.string() }))
    .describe('Timers and activities the move cancels and starts'),
});

const Signature = z.object({
  state: z.string(),
  status: z.string(),
  context: z.string().describe('Canonical JSON'),
  effects: z.string(),
});

export const ShadowReportSchema = z.object({
  machine: z.string(),
  candidate: z.string(),
  examined: z.number().int(),
  identical: z.number().int(),
  divergences: z.array(
    z.object({
      id: z.string(),
      seq: z.number().int(),
      eventType: z.string(),
      reason: z.string(),
      expected: Signature.optional(),
      actual: Signature.optional(),
    }),
  ),
  hidden: z
    .number()
    .int()
    .optional()
    .describe('Divergences of instances the caller may not read, counted but not shown'),
});
