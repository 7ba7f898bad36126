import type { Hono } from 'hono';
import { readJsonBody } from '../body.js';
import { type AppContext, type AppEnv, commandOptions, idParam, machineParam } from '../context.js';
import { assertCanRead, canRead } from '../read-access.js';
import { parseWith, queryObject } from '../request-schemas.js';
import { DiffQuery, MigrateBody, ShadowBody } from '../versioning-schemas.js';
import { INSTANCE } from './instances.js';
import { MACHINE } from './machines.js';

export const VERSIONS = `${MACHINE}/versions`;
export const DIFF = `${MACHINE}/diff`;
export const SHADOW = `${MACHINE}/shadow`;
export const MIGRATE = `${INSTANCE}/migrate`;

/** Instances a shadow run over HTTP examines unless the request says how many. */
const DEFAULT_SHADOW_SAMPLE = 1000;

/**
 * Machine versions: which exist and who is on them, what moving between two
 * does to live instances, shadow runs of a candidate, and migrating one
 * instance (bulk migrations are many of these: `stator migrate-instances`).
 */
export function versionRoutes(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;

  app.get(VERSIONS, async (c) => {
    const machine = machineParam(c);
    assertCanRead(ctx, c, machine);
    const versions = await engine.versions(machine);
    const live = engine.shadowStats().find((s) => s.machine === machine);
    return c.json({
      machine,
      versions,
      ...(live && {
        shadow: {
          candidate: live.candidate,
          compared: live.compared,
          diverged: live.diverged,
          skipped: live.skipped,
        },
      }),
    });
  });

  app.get(DIFF, async (c) => {
    const machine = machineParam(c);
    const query = parseWith(DiffQuery, queryObject(new URL(c.req.url)), 'The query');
    assertCanRead(ctx, c, machine);
    const assessment = await engine.assessMigration(machine, query.from, query.to);
    return c.json({ ...assessment, from: query.from, to: query.to });
  });

  app.post(SHADOW, async (c) => {
    const machine = machineParam(c);
    const body = parseWith(ShadowBody, await readJsonBody(c, ctx.bodyLimit), 'The request');
    assertCanRead(ctx, c, machine);
    const report = await engine.shadow(machine, body.candidate, {
      ...(body.ids ? { ids: body.ids } : { sample: body.sample ?? DEFAULT_SHADOW_SAMPLE }),
    });
    if (!ctx.policies) return c.json(report);
    // Divergences show state and context: only those of instances the caller may read.
    const shown = [];
    for (const d of report.divergences) {
      const state = await engine.get(machine, d.id).catch(() => undefined);
      if (state && canRead(ctx, c, machine, state) === true) shown.push(d);
    }
    const hidden = report.divergences.length - shown.length;
    return c.json({ ...report, divergences: shown, ...(hidden > 0 && { hidden }) });
  });

  app.post(MIGRATE, async (c) => {
    const machine = machineParam(c);
    const id = idParam(c);
    const body = parseWith(MigrateBody, await readJsonBody(c, ctx.bodyLimit), 'The migration');
    const result = await engine.migrate(machine, id, {
      ...commandOptions(c),
      to: body.to,
      ...(body.dryRun !== undefined && { dryRun: body.dryRun }),
    });
    if (result.duplicate) assertCanRead(ctx, c, machine, result);
    return c.json(result);
  });
}
