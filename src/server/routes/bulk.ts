import type { Hono } from 'hono';
import { errors, isStatorError } from '../../core/errors.js';
import type { InstanceState } from '../../runtime/types.js';
import { readJsonBody } from '../body.js';
import { type AppContext, type AppEnv, commandOptions, machineParam } from '../context.js';
import { PROBLEM_CODES } from '../http-errors.js';
import { assertCanOperate } from '../operate-access.js';
import { BulkSendBody } from '../operator-schemas.js';
import { assertCanRead, canRead } from '../read-access.js';
import { parseWith } from '../request-schemas.js';
import { MACHINE } from './machines.js';

export const BULK_SEND = `${MACHINE}/bulk/send`;

/** Sends in flight at once within one page (the engine group-commits them). */
const CONCURRENCY = 16;
/** Failures listed in one answer (all are counted). */
const MAX_FAILURES = 100;

/** The Idempotency-Key a bulk operation sends under to each instance. */
export const bulkKey = (operation: string): string => `bulk:${operation}`;

/**
 * Sends one event to a page of the instances a selection (state, status, time
 * in state) finds, in id order, and answers with a summary and the cursor of
 * the next page: a client loops to the end, showing progress. Every instance
 * gets Idempotency-Key `bulk:<operation>`, so running the same operation again
 * after a crash resumes without sending anything twice. Needs the machine's
 * `operate` rule; each event is authorized as usual too.
 */
export function bulkRoutes(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;

  app.post(BULK_SEND, async (c) => {
    const machine = machineParam(c);
    const body = parseWith(BulkSendBody, await readJsonBody(c, ctx.bodyLimit), 'The bulk send');
    assertCanRead(ctx, c, machine);
    assertCanOperate(ctx, c, machine);
    const { type, ...payload } = body.event;
    if (type.startsWith('xstate.') || type.startsWith('stator.')) {
      throw errors.validation(
        `Event type "${type}" is reserved for XState and the engine: a bulk operation sends your machine's events (to stop instances, use POST …/instances/{id}/stop).`,
        { field: 'event.type' },
      );
    }
    const event = { ...payload, type };
    const page = await engine.list(machine, {
      status: body.status ?? 'active',
      limit: body.limit ?? 100,
      ...(body.state !== undefined && { state: body.state }),
      ...(body.minTimeInState !== undefined && { minTimeInState: body.minTimeInState }),
      ...(body.cursor !== undefined && { cursor: body.cursor }),
    });
    const options = { ...commandOptions(c), idempotencyKey: bulkKey(body.operation) };
    const summary = { sent: 0, duplicates: 0, failed: 0, skipped: 0 };
    const failures: { id: string; code: string; message: string }[] = [];
    const one = async (state: InstanceState) => {
      if (canRead(ctx, c, machine, state) !== true) {
        summary.skipped++; // not the caller's to see: not touched, not named
        return;
      }
      try {
        const result = await engine.send(machine, state.id, event, options);
        if (result.duplicate) summary.duplicates++;
        else summary.sent++;
      } catch (error) {
        if (!isStatorError(error, PROBLEM_CODES)) throw error;
        summary.failed++;
        if (failures.length < MAX_FAILURES) {
          failures.push({ id: state.id, code: error.code, message: error.message });
        }
      }
    };
    const queue = [...page.instances];
    await Promise.all(
      Array.from({ length: Math.min(CONCURRENCY, queue.length) }, async () => {
        for (let next = queue.shift(); next; next = queue.shift()) await one(next);
      }),
    );
    failures.sort((a, b) => (a.id < b.id ? -1 : 1));
    return c.json({
      operation: body.operation,
      processed: page.instances.length,
      ...summary,
      failures,
      next: page.next,
    });
  });
}
