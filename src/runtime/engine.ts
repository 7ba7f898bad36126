import { errors, StatorError } from '../core/errors.js';
import { systemClock } from './clock.js';
import * as path from './commit-path.js';
import { GroupCommitter } from './group-commit.js';
import { InstanceCache, instanceKey } from './instance-cache.js';
import { Mailboxes } from './mailbox.js';
import { rebuild } from './recovery.js';
import { MachineRegistry } from './registry.js';
import type { CommittedTransition, Engine, EngineOptions, HistoryOptions } from './types.js';
import {
  assertExternalEvent,
  assertIdempotencyKey,
  assertInstanceId,
  assertJson,
  assertMachineName,
} from './validate.js';
import { toState } from './write.js';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

/**
 * Starts an engine over a store: opens (migrates) the store, registers the
 * machines (refusing non-durable ones), and returns the API.
 *
 * @example
 * const engine = await createEngine({ store: sqliteStore({ path: './orders.db' }), machines: [orderMachine] });
 * await engine.create('order', 'order-1', { input: { total: 40 } });
 * await engine.send('order', 'order-1', { type: 'Pay' }, { idempotencyKey: 'pay-1' });
 * await engine.close();
 */
export async function createEngine(options: EngineOptions): Promise<Engine> {
  const registry = new MachineRegistry(options.machines, options.snapshot);
  const { store } = options;
  await store.open();
  const listeners = new Set<(t: CommittedTransition) => void>();
  const ctx: path.RuntimeContext = {
    committed: (t) => {
      for (const listener of listeners) {
        try {
          listener(t);
        } catch (error) {
          console.error('stator: an onTransition listener threw', error);
        }
      }
    },
    store,
    registry,
    committer: new GroupCommitter(store, options.maxBatch ?? 256),
    cache: new InstanceCache(options.cacheSize ?? 10_000),
    clock: options.clock ?? systemClock,
  };
  const mailboxes = new Mailboxes();
  let closed = false;

  const guard = (machine: unknown, id: unknown): void => {
    if (closed) throw errors.engineClosed();
    assertMachineName(machine);
    assertInstanceId(id);
  };
  const inMailbox = <T>(machine: string, id: string, task: () => Promise<T>): Promise<T> =>
    mailboxes.run(instanceKey(machine, id), task);

  const readInstance = async (machine: string, id: string) => {
    registry.latest(machine);
    const row = await store.getInstance({ machine, id });
    if (!row) throw errors.instanceNotFound(machine, id);
    return row;
  };

  return {
    async create(machine, id, opts = {}) {
      guard(machine, id);
      assertIdempotencyKey(opts.idempotencyKey);
      if (opts.input !== undefined) assertJson(opts.input, 'input');
      return inMailbox(machine, id, () => path.create(ctx, machine, id, opts));
    },
    async send(machine, id, event, opts = {}) {
      guard(machine, id);
      assertExternalEvent(event);
      assertIdempotencyKey(opts.idempotencyKey);
      const copy = { ...event };
      return inMailbox(machine, id, () =>
        path.send(ctx, machine, id, { event: copy, options: opts }),
      );
    },
    async get(machine, id) {
      guard(machine, id);
      return toState(await readInstance(machine, id));
    },
    async history(machine, id, opts = {}) {
      guard(machine, id);
      await readInstance(machine, id);
      const limit = pageLimit(opts);
      const events = await store.readEvents({ machine, id }, { after: opts.after ?? 0, limit });
      return { events, next: events.length === limit ? (events.at(-1)?.seq ?? null) : null };
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
        const { entry, snapshot, row } = await path.load(ctx, machine, id);
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
      const { snapshot, seq } = await rebuild(
        store,
        registry.get(machine, row.version),
        { machine, id },
        true,
      );
      return { value: snapshot.value, context: snapshot.context, status: snapshot.status, seq };
    },
    async list(machine, opts = {}) {
      if (closed) throw errors.engineClosed();
      registry.latest(machine);
      const limit = pageLimit(opts);
      const rows = await store.listInstances({
        machine,
        limit,
        ...(opts.state !== undefined && { state: opts.state }),
        ...(opts.status !== undefined && { status: opts.status }),
        ...(opts.cursor !== undefined && { afterId: opts.cursor }),
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
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    machines: () => registry.describe(),
    getMachine: (name, version) =>
      (version === undefined ? registry.latest(name) : registry.get(name, version)).stepper.machine,
    async close() {
      if (closed) return;
      closed = true;
      await mailboxes.drain();
      await ctx.committer.flushed();
      await store.close();
    },
  };
}

function pageLimit(opts: { limit?: number; after?: number }): number {
  const limit = opts.limit ?? DEFAULT_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw new StatorError('VALIDATION_FAILED', `limit must be an integer from 1 to ${MAX_LIMIT}.`, {
      field: 'limit',
    });
  }
  if (opts.after !== undefined && (!Number.isInteger(opts.after) || opts.after < 0)) {
    throw new StatorError('VALIDATION_FAILED', 'after must be a non-negative integer.', {
      field: 'after',
    });
  }
  return limit;
}
