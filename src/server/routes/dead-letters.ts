import type { Context, Hono } from 'hono';
import { errors } from '../../core/errors.js';
import type { DeadLetterRef } from '../../runtime/types.js';
import type { OutboxRow, TimerRow } from '../../store/types.js';
import { type AppContext, type AppEnv, actorOf, idParam, machineParam } from '../context.js';
import { assertCanOperate, readFilter } from '../operate-access.js';
import { DeadLetterQuery, EffectId, TimerId } from '../operator-schemas.js';
import { assertCanRead } from '../read-access.js';
import { parseWith, queryObject } from '../request-schemas.js';

export const DEAD_LETTERS = '/v1/dead-letters';
export const DEAD_EFFECT = `${DEAD_LETTERS}/effects/:effectId`;
export const DEAD_TIMER = `${DEAD_LETTERS}/timers/:machine/:id/:timerId`;
export const DEAD_LETTER_ACTIONS = [
  `${DEAD_EFFECT}/retry`,
  `${DEAD_EFFECT}/discard`,
  `${DEAD_TIMER}/retry`,
  `${DEAD_TIMER}/discard`,
] as const;

/** Most dead letters of each kind read from the store for one filtered listing. */
const SCAN = 1000;

const enc = encodeURIComponent;

/** Where a dead letter lives under /v1/dead-letters. */
export function refPath(ref: DeadLetterRef): string {
  return ref.kind === 'effect'
    ? `${DEAD_LETTERS}/effects/${enc(ref.effectId)}`
    : `${DEAD_LETTERS}/timers/${enc(ref.machine)}/${enc(ref.id)}/${enc(ref.timerId)}`;
}

/** A dead timer or effect as the API shows it: its kind, instance, path, attempts and error beside the row. */
export function describeLetter(row: TimerRow | OutboxRow) {
  const isTimer = 'timerId' in row;
  const ref: DeadLetterRef = isTimer
    ? { kind: 'timer', machine: row.machine, id: row.id, timerId: row.timerId }
    : { kind: 'effect', effectId: row.effectId };
  return {
    kind: ref.kind,
    machine: row.machine,
    id: row.id,
    ref: refPath(ref),
    attempts: row.attempts ?? 0,
    lastError: row.lastError ?? null,
    ...(isTimer ? { timer: row } : { effect: row }),
  };
}

/**
 * Dead letters: timers and effects whose last retry failed. Listed (by
 * machine, by kind) and inspected under the machines' read rules; retried
 * (back in line, due now) and discarded (deleted, audited on the instance)
 * under their `operate` rule.
 */
export function deadLetterRoutes(app: Hono<AppEnv>, ctx: AppContext): void {
  const { engine } = ctx;

  app.get(DEAD_LETTERS, async (c) => {
    const query = parseWith(DeadLetterQuery, queryObject(new URL(c.req.url)), 'The query');
    const limit = query.limit ?? 100;
    if (query.machine !== undefined) assertCanRead(ctx, c, query.machine);
    const filtered = query.machine !== undefined || ctx.policies !== undefined;
    const read = filtered ? SCAN : limit;
    const { timers, effects } = await engine.deadLetters(read);
    const may = readFilter(ctx, c);
    const rows: (TimerRow | OutboxRow)[] = [
      ...(query.kind === 'effect' ? [] : timers),
      ...(query.kind === 'timer' ? [] : effects),
    ];
    const shown = [];
    for (const row of rows) {
      if (query.machine !== undefined && row.machine !== query.machine) continue;
      if (await may(row.machine, row.id)) shown.push(describeLetter(row));
    }
    return c.json({
      deadLetters: shown.slice(0, limit),
      truncated: shown.length > limit || timers.length === read || effects.length === read,
    });
  });

  const effectRef = (c: Context<AppEnv>): DeadLetterRef => ({
    kind: 'effect',
    effectId: parseWith(EffectId, c.req.param('effectId'), 'The effect id'),
  });
  const timerRef = (c: Context<AppEnv>): DeadLetterRef => ({
    kind: 'timer',
    machine: machineParam(c),
    id: idParam(c),
    timerId: parseWith(TimerId, c.req.param('timerId'), 'The timer id'),
  });

  /** The dead letter, once the caller may read its instance (404 otherwise, as for anyone). */
  const found = async (c: Context<AppEnv>, ref: DeadLetterRef) => {
    const row = await engine.deadLetter(ref);
    if (!row) throw notFound(ref);
    assertCanRead(ctx, c, row.machine);
    const state = await engine.get(row.machine, row.id).catch(() => undefined);
    if (state) assertCanRead(ctx, c, row.machine, state);
    return { row, state };
  };

  for (const [path, refOf] of [
    [DEAD_EFFECT, effectRef],
    [DEAD_TIMER, timerRef],
  ] as const) {
    app.get(path, async (c) => c.json(describeLetter((await found(c, refOf(c))).row)));

    app.post(`${path}/retry`, async (c) => {
      const ref = refOf(c);
      const { row, state } = await found(c, ref);
      assertCanOperate(ctx, c, row.machine, state);
      if (!(await engine.retryDeadLetter(ref))) throw notFound(ref);
      return c.json({ ref: refPath(ref), retried: true });
    });

    app.post(`${path}/discard`, async (c) => {
      const ref = refOf(c);
      const { row, state } = await found(c, ref);
      assertCanOperate(ctx, c, row.machine, state);
      const actor = actorOf(c);
      if (!(await engine.discardDeadLetter(ref, actor ? { actor } : {}))) throw notFound(ref);
      return c.json({ ref: refPath(ref), discarded: true });
    });
  }
}

function notFound(ref: DeadLetterRef) {
  const what =
    ref.kind === 'effect'
      ? `effect ${ref.effectId}`
      : `timer ${ref.timerId} of ${ref.machine}/${ref.id}`;
  // The same answer whether it never existed or was handled already.
  return errors.deadLetterNotFound(what, { ...ref });
}
