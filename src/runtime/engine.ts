import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { contextData } from '../core/context-data.js';
import { errors } from '../core/errors.js';
import { DenialLimiter, gateOf } from './authorization.js';
import { systemClock } from './clock.js';
import * as commitPath from './commit-path.js';
import type { RuntimeContext } from './context.js';
import { DEFAULT_LEASE_MS, EffectsRuntime } from './effects/effects-runtime.js';
import { GroupCommitter } from './group-commit.js';
import { consoleLog, Inspector } from './inspection.js';
import { InstanceCache, instanceKey } from './instance-cache.js';
import { Mailboxes } from './mailbox.js';
import { discardDeadLetter, findDeadLetter, retryEffectNow } from './operator/dead-letters.js';
import { stop as stopInstance } from './operator/stop.js';
import { ReadinessProbe } from './readiness.js';
import { INIT_EVENT, rebuild } from './recovery.js';
import { MachineRegistry } from './registry.js';
import { stateAt } from './time-travel.js';
import { traced, withTrace } from './trace-hook.js';
import type {
  CommandOptions,
  CreateOptions,
  Engine,
  EngineOptions,
  MachineRef,
  TransitionTraceRequest,
} from './types.js';
import {
  assertExternalEvent,
  assertIdempotencyKey,
  assertInstanceId,
  assertJson,
  assertMachineName,
  pageLimit,
} from './validate.js';
import { checkVersions } from './versioning/check-versions.js';
import { LiveShadow } from './versioning/live-shadow.js';
import { Migrations, migrate as migrateInstance } from './versioning/migrate.js';
import { VersionChooser } from './versioning/rollout.js';
import { shadowRun } from './versioning/shadow.js';
import { assessMove, versionsOf } from './versioning/versions.js';
import { toState } from './write.js';

/** A machine's name from a name or the machine itself; VALIDATION_FAILED for anything else. */
function nameOf(ref: unknown): string {
  const name = typeof ref === 'object' && ref !== null ? (ref as { id?: unknown }).id : ref;
  assertMachineName(name);
  return name;
}

/** The engine plus the handles `stator/testing` drives it with. */
export interface EngineWithInternals {
  readonly engine: Engine;
  /** Fires due timers, runs due effects, delivers emits (for `dispatch: 'manual'`). */
  runDue(): Promise<void>;
  /** Earliest time a timer or outbox row falls due, if any. */
  nextDue(): Promise<number | undefined>;
}

/**
 * Starts an engine over a store: opens (migrates) the store, registers the
 * machines (refusing non-durable ones), fires timers that fell due while no
 * process ran, resumes pending effects, and returns the API.
 *
 * @example
 * const engine = await createEngine({ store: sqliteStore({ path: './orders.db' }), machines: [orderMachine] });
 * await engine.create('order', 'order-1', { input: { total: 40 } });
 * await engine.send('order', 'order-1', { type: 'Pay' }, { idempotencyKey: 'pay-1' });
 * await engine.close();
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  return (await createEngineWithInternals(options)).engine;
}

export async function createEngineWithInternals(
  options: EngineOptions,
): Promise<EngineWithInternals> {
  const registry = new MachineRegistry(options.machines, options.snapshot);
  const versions = new VersionChooser(registry, options.rollout, options.shadow);
  const migrations = new Migrations(registry, options.migrations);
  const { store } = options;
  const clock = options.clock ?? systemClock;
  const inspector = new Inspector();
  for (const { listener, types } of options.observers ?? []) inspector.subscribe(listener, types);
  const liveShadow = new LiveShadow(store, registry, inspector, clock, options.shadow ?? {});
  const log = options.log ?? consoleLog;
  inspector.subscribe(
    (event) => {
      if (event.type === 'log') log(event.message, event.error);
    },
    ['log'],
  );
  await store.open();
  try {
    await checkVersions(store, registry, clock.now(), inspector);
  } catch (error) {
    await store.close().catch(() => {});
    throw error;
  }
  const owner = options.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const auto = options.dispatch !== 'manual';
  const ctx: RuntimeContext = {
    store,
    registry,
    committer: new GroupCommitter(store, {
      maxBatch: options.maxBatch ?? 256,
      maxInFlight: options.commitsInFlight ?? 4,
      settleMs: options.commitSettleMs,
      inspector,
      clock,
    }),
    cache: new InstanceCache(options.cacheSize ?? 10_000),
    clock,
    gate: gateOf(options.authorize),
    denials: new DenialLimiter(),
    inspector,
    versions,
    // Rows a commit writes are leased to this process, which dispatches them from memory.
    outboxLease: auto ? (now) => ({ owner, until: now + leaseMs }) : () => undefined,
    tracer: options.tracer,
  };
  const mailboxes = new Mailboxes();
  const entryOf = (name: string, version?: string) =>
    version === undefined ? registry.latest(name) : registry.get(name, version);
  const readiness = new ReadinessProbe(store, ctx.committer.health);
  const fx = new EffectsRuntime(ctx, mailboxes, { ...options, owner });
  let closed = false;

  const guard = (machine: unknown, id: unknown): void => {
    if (closed) throw errors.engineClosed();
    assertMachineName(machine);
    assertInstanceId(id);
  };
  const inMailbox = <T>(machine: string, id: string, task: () => Promise<T>): Promise<T> =>
    mailboxes.run(instanceKey(machine, id), task);
  const assertSubscriberName = (name: unknown): void => {
    if (typeof name !== 'string' || name.length === 0 || name.length > 200) {
      throw errors.validation(
        'A subscriber needs a name of 1–200 characters (its cursor is stored under it).',
      );
    }
  };
  const readInstance = async (machine: string, id: string) => {
    registry.latest(machine);
    const row = await store.getInstance({ machine, id });
    if (!row) throw errors.instanceNotFound(machine, id);
    return row;
  };

  // Typed from the machine when given one (`engine.get(orderMachine, id)`); the
  // stored context is what the machine's `assign` wrote, so the cast is the
  // machine's own promise.
  const create = async (ref: MachineRef, id: string, opts: CreateOptions = {}) => {
    const machine = nameOf(ref);
    guard(machine, id);
    assertIdempotencyKey(opts.idempotencyKey);
    if (opts.input !== undefined) assertJson(opts.input, 'input');
    const request = traceRequest(machine, id, INIT_EVENT, 'create', opts);
    return inMailbox(machine, id, () =>
      traced(ctx.tracer, request, (trace) =>
        commitPath.create(ctx, machine, id, withTrace(opts, trace)),
      ),
    );
  };
  const send = async (
    ref: MachineRef,
    id: string,
    event: { readonly type: string },
    opts: CommandOptions = {},
  ) => {
    const machine = nameOf(ref);
    guard(machine, id);
    assertExternalEvent(event);
    assertIdempotencyKey(opts.idempotencyKey);
    const copy = { ...event };
    const request = traceRequest(machine, id, copy.type, 'event', opts);
    return inMailbox(machine, id, () =>
      traced(ctx.tracer, request, (trace) =>
        commitPath.send(ctx, machine, id, { event: copy, options: withTrace(opts, trace) }),
      ),
    );
  };
  const get = async (ref: MachineRef, id: string) => {
    const machine = nameOf(ref);
    guard(machine, id);
    return toState(await readInstance(machine, id));
  };

  const engine: Engine = {
    create: create as Engine['create'],
    send: send as Engine['send'],
    get: get as Engine['get'],
    async history(machine, id, opts = {}) {
      guard(machine, id);
      const row = await readInstance(machine, id);
      const limit = pageLimit(opts);
      const events = await store.readEvents(
        { machine, id },
        {
          after: opts.after ?? 0,
          limit,
          ...(opts.maxBytes !== undefined && { maxBytes: opts.maxBytes }),
        },
      );
      const last = events.at(-1)?.seq;
      return { events, next: last !== undefined && last < row.seq ? last : null };
    },
    async audit(machine, id, opts = {}) {
      guard(machine, id);
      await readInstance(machine, id);
      const limit = pageLimit(opts);
      const entries = await store.readAudit({ machine, id }, { after: opts.after ?? 0, limit });
      return {
        entries,
        next: entries.length === limit ? (entries.at(-1)?.position ?? null) : null,
      };
    },
    async snapshot(machine, id) {
      guard(machine, id);
      return inMailbox(machine, id, async () => {
        const { entry, snapshot, row } = await commitPath.load(ctx, machine, id);
        await store.saveSnapshot({
          machine,
          id,
          seq: row.seq,
          version: entry.version,
          snapshot: entry.stepper.persist(snapshot),
          takenAt: ctx.clock.now(),
        });
        return { seq: row.seq };
      });
    },
    async replay(machine, id) {
      guard(machine, id);
      const row = await readInstance(machine, id);
      const resolve = (version: string) => registry.get(machine, version);
      const { snapshot, seq } = await rebuild(store, resolve, row.version, { machine, id }, true);
      const context = contextData(snapshot.context);
      return { value: snapshot.value, context, status: snapshot.status, seq };
    },
    async stateAt(machine, id, seq) {
      guard(machine, id);
      if (!Number.isSafeInteger(seq) || seq < 1) {
        throw errors.validation(`seq must be a whole number from 1 on (got ${String(seq)}).`);
      }
      const row = await readInstance(machine, id);
      if (seq > row.seq) {
        throw errors.validation(
          `Instance ${machine}/${id} has no event at seq ${seq}: its history ends at ${row.seq}. Ask for a seq from 1 to ${row.seq}.`,
        );
      }
      const resolve = (version: string) => registry.get(machine, version);
      return stateAt(store, resolve, row.version, { machine, id }, seq);
    },
    async list(machine, opts = {}) {
      if (closed) throw errors.engineClosed();
      registry.latest(machine);
      const limit = pageLimit(opts);
      if (opts.minTimeInState !== undefined && !(opts.minTimeInState >= 0)) {
        throw errors.validation('minTimeInState must be a non-negative number of milliseconds.');
      }
      const rows = await store.listInstances({
        machine,
        limit,
        ...(opts.state !== undefined && { state: opts.state }),
        ...(opts.status !== undefined && { status: opts.status }),
        ...(opts.version !== undefined && { version: opts.version }),
        ...(opts.cursor !== undefined && { afterId: opts.cursor }),
        ...(opts.idPrefix !== undefined && { idPrefix: opts.idPrefix }),
        ...(opts.minTimeInState !== undefined && {
          enteredBefore: ctx.clock.now() - opts.minTimeInState,
        }),
      });
      return {
        instances: rows.map(toState),
        next: rows.length === limit ? (rows.at(-1)?.id ?? null) : null,
      };
    },
    onTransition(listener) {
      return inspector.subscribe(
        (event) => {
          if (event.type !== 'transition.committed') return;
          const { write } = event;
          listener({ event: write.event, state: toState(write.instance) });
        },
        ['transition.committed'],
      );
    },
    inspect: (listener, types) => inspector.subscribe(listener, types),
    subscribe(name, handler, opts = {}) {
      if (closed) throw errors.engineClosed();
      assertSubscriberName(name);
      return fx.subscribe(name, handler, opts);
    },
    async deadLetters(limit = 100) {
      const [timers, effects] = await Promise.all([
        store.listDeadTimers(limit),
        store.listDeadOutbox(limit),
      ]);
      return { timers, effects };
    },
    async retryDeadLetter(letter) {
      const now = ctx.clock.now();
      if (letter.kind === 'timer') {
        const ok = await store.reviveTimer(
          { machine: letter.machine, id: letter.id },
          letter.timerId,
          now,
        );
        if (ok) fx.timers.notify(now);
        return ok;
      }
      const ok = await store.reviveOutbox(letter.effectId, now);
      if (ok) fx.outbox.notify(now);
      return ok;
    },
    deadLetter: (letter) => findDeadLetter(ctx, letter),
    discardDeadLetter: (letter, opts = {}) => discardDeadLetter(ctx, letter, opts.actor ?? null),
    async pending(machine, id) {
      guard(machine, id);
      const row = await readInstance(machine, id);
      const [timers, effects] = await Promise.all([store.listTimers(row), store.listOutbox(row)]);
      return { timers, effects };
    },
    async stop(machine, id, opts = {}) {
      guard(machine, id);
      assertIdempotencyKey(opts.idempotencyKey);
      if (
        opts.reason !== undefined &&
        (typeof opts.reason !== 'string' || opts.reason.length > 500)
      ) {
        throw errors.validation('A stop reason must be a string of at most 500 characters.', {
          field: 'reason',
        });
      }
      registry.latest(machine);
      return inMailbox(machine, id, () => stopInstance(ctx, machine, id, opts));
    },
    async retryEffect(machine, id, effectId) {
      guard(machine, id);
      registry.latest(machine);
      const row = await retryEffectNow(ctx, machine, id, effectId);
      fx.outbox.notify(row.nextAttemptAt);
      return row;
    },
    async emits(opts = {}) {
      if (closed) throw errors.engineClosed();
      const limit = pageLimit(opts);
      const emits = await store.readEmits(opts.after ?? 0, limit);
      return { emits, next: emits.length === limit ? (emits.at(-1)?.position ?? null) : null };
    },
    async emitCursor(name) {
      if (closed) throw errors.engineClosed();
      assertSubscriberName(name);
      return store.getCursor(name);
    },
    async setEmitCursor(name, position) {
      if (closed) throw errors.engineClosed();
      assertSubscriberName(name);
      if (!Number.isSafeInteger(position) || position < 0) {
        throw errors.validation('A cursor position must be a non-negative integer.', {
          field: 'position',
        });
      }
      await store.setCursor(name, position);
    },
    machines: () =>
      registry.describe().map((m) => ({ ...m, latest: versions.newest(m.name).version })),
    async migrate(machine, id, opts) {
      guard(machine, id);
      assertIdempotencyKey(opts.idempotencyKey);
      return inMailbox(machine, id, () => migrateInstance(ctx, migrations, machine, id, opts));
    },
    versions(machine) {
      if (closed) throw errors.engineClosed();
      return versionsOf(store, registry, versions, machine);
    },
    assessMigration(machine, from, to) {
      if (closed) throw errors.engineClosed();
      const mapping = migrations.find(machine, from, to)?.states ?? {};
      const registered = registry
        .versionsOf(machine)
        .map((e) => ({ version: e.version, machine: e.stepper.machine }));
      return assessMove(store, registered, machine, from, to, mapping);
    },
    shadow(machine, candidate, opts) {
      if (closed) throw errors.engineClosed();
      return shadowRun(store, registry, machine, candidate, opts);
    },
    shadowStats: () => liveShadow.stats(),
    ready: () =>
      closed
        ? Promise.resolve({ ready: false, reason: 'the engine is closed' } as const)
        : readiness.check(),
    getMachine: (name, version) => entryOf(name, version).stepper.machine,
    definition(name, version) {
      const entry = entryOf(name, version);
      const { stepper, schemas } = entry;
      return { name, version: entry.version, machine: stepper.machine, schemas };
    },
    async close() {
      if (closed) return;
      closed = true;
      await liveShadow.stop();
      await fx.stop();
      await mailboxes.drain();
      await ctx.committer.flushed();
      await store.close();
    },
  };
  liveShadow.start();
  fx.start();
  return {
    engine,
    runDue: () => fx.runDue(),
    async nextDue() {
      const [timer, effect] = await Promise.all([store.nextTimerDue(), store.nextOutboxDue()]);
      if (timer === undefined) return effect;
      return effect === undefined ? timer : Math.min(timer, effect);
    },
  };
}

function traceRequest(
  machine: string,
  id: string,
  eventType: string,
  kind: 'create' | 'event',
  opts: CommandOptions,
): TransitionTraceRequest {
  return { machine, id, eventType, kind, actor: opts.actor ?? null, incoming: opts.traceContext };
}
