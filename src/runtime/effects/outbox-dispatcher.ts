import { childGeneration } from '../../core/children.js';
import { actorKind } from '../../core/durable-check.js';
import { StatorError } from '../../core/errors.js';
import { ids } from '../../core/ids.js';
import type {
  ActionEffect,
  ActivityStartEffect,
  ActivityStopEffect,
  SendEffect,
} from '../../core/types.js';
import type { OutboxQueue, OutboxRow } from '../../store/types.js';
import * as commitPath from '../commit-path.js';
import { instanceKey } from '../instance-cache.js';
import { ActivityTimeout, errorData, jsonSafe, runPromiseLogic } from './activity-runner.js';
import { type EffectsContext, SYSTEM_ACTIVITY } from './context.js';
import { type Origin, runAction } from './custom-actions.js';
import { deliver } from './deliver.js';
import { keepLease } from './lease-heartbeat.js';
import { Pump } from './pump.js';
import { activityPolicy, errorText, exhausted, retryDelay } from './retry-policy.js';
import { actorLogic, deliverTo, durableChild, startChild } from './routing.js';
import { Wake } from './wake.js';

const CLAIM_BATCH = 256;
/** Longest a finished effect's row waits to ride along with another commit. */
const LAZY_COMPLETION_MS = 20;

const MAX_SLEEP_MS = 1000;

class Stopped extends Error {
  override readonly name = 'Stopped';
}

/** The effect's lease went to another process (it expired and was claimed): not ours to finish. */
class LeaseLost extends Error {
  override readonly name = 'LeaseLost';
}

/**
 * Runs effects from the outbox after their transition committed: custom actions
 * (at least once, with the effect id as idempotency key), promise activities
 * (retried per policy, results delivered as `xstate.done.actor.*` /
 * `xstate.error.actor.*` through the commit path), durable child machines, and
 * sends to parents and children. Never during replay: replay makes no rows.
 */
export class OutboxDispatcher {
  readonly #fx: EffectsContext;
  readonly #queue: OutboxQueue;
  readonly #pump: Pump;
  readonly #wake: Wake;
  /** Effects running in this process, so a lease that outlives its run is not claimed twice here. */
  readonly #inFlight = new Map<string, Promise<void>>();
  /** AbortControllers of running activities, by instance key + activity id. */
  readonly #running = new Map<string, AbortController>();
  /** Event and context of the transition that wrote rows handed over in memory. */
  readonly #origins = new Map<string, Origin>();
  /** Per instance: the last send, child start or stop waiting to be queued at its target. */
  readonly #order = new Map<string, Promise<void>>();
  readonly #auto: boolean;
  #stopped = false;

  constructor(fx: EffectsContext, queue: OutboxQueue, auto: boolean) {
    this.#fx = fx;
    this.#queue = queue;
    this.#auto = auto;
    this.#pump = new Pump(
      () => this.#tick(),
      (e) => fx.log('outbox dispatcher failed; will look again', e),
    );
    this.#wake = new Wake(
      () => fx.runtime.clock.now(),
      () => void this.#pump.kick(),
      auto,
      MAX_SLEEP_MS,
    );
  }

  start(): void {
    void this.#pump.kick();
  }

  /** A commit wrote outbox rows due at `at`. */
  notify(at: number): void {
    if (!this.#stopped) this.#wake.at(at);
  }

  /** Claims what is due now and runs it; resolves when those effects finished or were rescheduled. */
  async runDue(): Promise<void> {
    await this.#pump.kick();
    await Promise.all(this.#inFlight.values());
  }

  /** Stops claiming, aborts running activities (their rows are released for a later run) and waits. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake.cancel();
    for (const controller of this.#running.values())
      controller.abort(new Stopped('engine closing'));
    await this.#pump.idle();
    await Promise.all(this.#inFlight.values());
  }

  async #tick(): Promise<void> {
    const { clock } = this.#fx.runtime;
    const store = this.#queue;
    while (!this.#stopped) {
      const now = clock.now();
      const rows = await store.claimOutbox({
        owner: this.#fx.owner,
        now,
        until: now + this.#fx.leaseMs,
        limit: CLAIM_BATCH,
      });
      this.#run(rows);
      if (rows.length < CLAIM_BATCH) break;
      await Promise.all(this.#inFlight.values());
    }
    if (this.#stopped) return;
    // The next row nobody holds; rows leased here or elsewhere are found by the next poll.
    const now = clock.now();
    const next = await store.nextOutboxDue(now);
    this.#wake.at(next === undefined ? undefined : Math.max(next, now + 1));
  }

  /**
   * Rows this process just committed, leased to it: dispatched now, without a
   * claim, with the event and context of the transition that wrote them.
   */
  accept(rows: readonly OutboxRow[], origin: Origin): void {
    if (this.#stopped) return;
    for (const row of rows) this.#origins.set(row.effectId, origin);
    this.#run(rows);
  }

  #run(rows: readonly OutboxRow[]): void {
    for (const row of rows) {
      if (this.#inFlight.has(row.effectId)) continue;
      const run = this.#dispatch(row).finally(() => {
        this.#inFlight.delete(row.effectId);
        this.#origins.delete(row.effectId);
      });
      this.#inFlight.set(row.effectId, run);
    }
  }

  /**
   * Deletes a finished effect's row with the next group commit. Until that
   * commits the row stays leased to this process; a crash in between re-runs the
   * effect (at least once). Tests (manual dispatch) commit it at once.
   */
  async #complete(effectId: string): Promise<void> {
    const write = { kind: 'outbox-done', effectIds: [effectId] } as const;
    const { committer } = this.#fx.runtime;
    await (this.#auto ? committer.submitLazy(write, LAZY_COMPLETION_MS) : committer.submit(write));
  }

  async #dispatch(row: OutboxRow): Promise<void> {
    const { effect } = row;
    const stopHeartbeat = this.#auto
      ? keepLease(this.#fx, this.#queue, row, () => this.#lost(row))
      : () => {};
    const started = performance.now();
    const { inspector, clock } = this.#fx.runtime;
    if (inspector.wants('effect.started')) {
      inspector.emit({ type: 'effect.started', at: clock.now(), row, attempt: row.attempts + 1 });
    }
    const turn = effect.kind === 'action' ? undefined : this.#turn(row);
    try {
      switch (effect.kind) {
        case 'action':
          await this.#action(row, effect);
          break;
        case 'activity.start':
          await this.#start(row, effect, started, turn as Turn);
          return; // completes or reschedules itself
        case 'activity.stop':
          await this.#stop(row, effect, turn as Turn);
          break;
        case 'send':
          await this.#send(row, effect, turn as Turn);
          break;
      }
      this.#succeeded(row, started);
      await this.#complete(row.effectId);
    } catch (error) {
      await this.#failed(row, error, this.#fx.actionRetry);
    } finally {
      turn?.release();
      stopHeartbeat();
    }
  }

  /**
   * The row's place among its instance's sends, child starts and stops, in the
   * order they were handed over (commit order, then position in the step): each
   * waits until the one before is queued at its target's mailbox, so a child's
   * creation is queued before the events sent to it and events keep their order.
   */
  #turn(row: OutboxRow): Turn {
    const key = instanceKey(row.machine, row.id);
    const previous = this.#order.get(key) ?? Promise.resolve();
    let release = () => {};
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#order.set(key, tail);
    void tail.then(() => {
      if (this.#order.get(key) === tail) this.#order.delete(key);
    });
    return { ready: previous, release };
  }

  #succeeded(row: OutboxRow, started: number): void {
    const { inspector, clock } = this.#fx.runtime;
    if (!inspector.wants('effect.succeeded')) return;
    const durationMs = performance.now() - started;
    inspector.emit({
      type: 'effect.succeeded',
      at: clock.now(),
      row,
      attempt: row.attempts + 1,
      durationMs,
    });
  }

  #announceFailure(
    row: OutboxRow,
    error: unknown,
    retryAt: number | undefined,
    dead: boolean,
  ): void {
    const { inspector, clock } = this.#fx.runtime;
    if (!inspector.wants('effect.failed')) return;
    inspector.emit({
      type: 'effect.failed',
      at: clock.now(),
      row,
      attempt: row.attempts + 1,
      error,
      retryAt,
      deadLettered: dead,
    });
  }

  #lost(row: OutboxRow): void {
    const { effect } = row;
    const message = `the lease of ${row.effectId} passed to another process`;
    if (effect.kind === 'activity.start') {
      this.#running.get(activityKey(row, effect.activityId))?.abort(new LeaseLost(message));
    } else this.#fx.log(`${message} while its effect ran; it may run there again`);
  }

  async #action(row: OutboxRow, effect: ActionEffect): Promise<void> {
    await runAction(this.#fx, row, effect, this.#origins.get(row.effectId));
  }

  async #send(row: OutboxRow, effect: SendEffect, turn: Turn): Promise<void> {
    await turn.ready;
    const delivered = await deliverTo(this.#fx, row, effect.target, effect.event, {
      actor: { id: `system:instance:${row.machine}/${row.id}` },
      idempotencyKey: row.effectId,
      minSeq: row.seq,
      ...(effect.generation !== undefined && { generation: effect.generation }),
      queued: turn.release,
    });
    if (!delivered)
      this.#fx.log(
        `send to "${effect.target}" from ${row.machine}/${row.id} dropped: no durable target`,
      );
  }

  async #stop(row: OutboxRow, effect: ActivityStopEffect, turn: Turn): Promise<void> {
    this.#running.get(activityKey(row, effect.activityId))?.abort(new Stopped('activity stopped'));
    await turn.ready;
    const child = await durableChild(
      this.#fx,
      row,
      effect.activityId,
      effect.src,
      0,
      effect.generation ?? 1,
    );
    if (!child) return;
    const stopped = deliver(
      this.#fx,
      child.machine,
      child.id,
      { type: 'xstate.stop' },
      {
        actor: { id: `system:instance:${row.machine}/${row.id}` },
        idempotencyKey: row.effectId,
      },
    );
    turn.release();
    try {
      await stopped;
    } catch (error) {
      // Its start (queued before this stop) found the state already left: it never ran.
      if ((error as { code?: unknown }).code !== 'INSTANCE_NOT_FOUND') throw error;
    }
  }

  async #start(
    row: OutboxRow,
    effect: ActivityStartEffect,
    started: number,
    turn: Turn,
  ): Promise<void> {
    const fx = this.#fx;
    const store = this.#queue;
    await turn.ready;
    const logic = await actorLogic(fx, row, effect.src);
    if (!logic) {
      throw new StatorError(
        'NON_DURABLE_MACHINE',
        `Actor "${effect.src}" of machine "${row.machine}" has no implementation in this version: provide it in setup({ actors }).`,
        { machine: row.machine, actor: effect.src },
      );
    }
    // At least the state that started it: a cache left behind by another process would
    // lack the activity and drop it unrun.
    const { snapshot } = await commitPath.load(fx.runtime, row.machine, row.id, row.seq);
    const child = snapshot.children[effect.activityId];
    if (!child || childGeneration(child) !== (effect.generation ?? 1)) {
      await this.#complete(row.effectId); // its state was exited before it could start
      return;
    }
    if (actorKind(logic) === 'machine') {
      const machine = (logic as unknown as { id: string }).id;
      await startChild(fx, row, effect, machine, turn.release);
      await this.#complete(row.effectId);
      return;
    }
    turn.release(); // a promise activity receives no events: nothing waits for it
    const policy = activityPolicy(fx.activities, effect.src, effect.activityId);
    if (row.status === 'started') {
      await this.#result(row, effect, {
        ok: false,
        error: {
          name: 'ActivityInterrupted',
          code: 'ACTIVITY_INTERRUPTED',
          message: `at-most-once activity "${effect.src}" was interrupted; it may or may not have happened`,
        },
      });
      return;
    }
    if (policy.atMostOnce) await store.markOutboxStarted(row.effectId);
    const attempt = row.attempts + 1;
    const controller = new AbortController();
    const key = activityKey(row, effect.activityId);
    this.#running.set(key, controller);
    try {
      const output = await runPromiseLogic(
        logic,
        {
          input: effect.input,
          activityId: effect.activityId,
          idempotencyKey: row.effectId,
          attempt,
        },
        controller.signal,
        policy.timeoutMs,
      );
      this.#succeeded(row, started);
      await this.#result(row, effect, { ok: true, output: jsonSafe(output) });
    } catch (error) {
      if (controller.signal.reason instanceof LeaseLost) {
        this.#fx.log(`activity ${row.effectId} aborted: ${controller.signal.reason.message}`);
        return;
      }
      if (controller.signal.reason instanceof Stopped) {
        if (this.#stopped)
          await store.retryOutbox(row.effectId, {
            attempts: row.attempts,
            lastError: 'engine closed',
            at: fx.runtime.clock.now(),
          });
        else await this.#complete(row.effectId);
        return;
      }
      const failure =
        error instanceof ActivityTimeout
          ? error
          : controller.signal.aborted
            ? controller.signal.reason
            : error;
      if (policy.atMostOnce || exhausted(policy, attempt, failure)) {
        // The last attempt failed: the machine hears the error (its onError decides).
        this.#announceFailure(row, failure, undefined, false);
        await this.#result(row, effect, { ok: false, error: errorData(failure) });
        return;
      }
      await this.#retry(row, attempt, failure, policy);
    } finally {
      this.#running.delete(key);
    }
  }

  async #result(
    row: OutboxRow,
    effect: ActivityStartEffect,
    result: { ok: true; output: unknown } | { ok: false; error: Record<string, unknown> },
  ): Promise<void> {
    const id = effect.activityId;
    const event = result.ok
      ? { type: `xstate.done.actor.${id}`, output: result.output, actorId: id }
      : { type: `xstate.error.actor.${id}`, error: result.error, actorId: id };
    await deliver(this.#fx, row.machine, row.id, event, {
      actor: SYSTEM_ACTIVITY,
      idempotencyKey: ids.activityResult(row.effectId),
    });
    await this.#complete(row.effectId);
  }

  async #retry(
    row: OutboxRow,
    attempt: number,
    error: unknown,
    policy: EffectsContext['actionRetry'],
  ) {
    const at = this.#fx.runtime.clock.now() + retryDelay(policy, attempt, this.#fx.random, error);
    this.#announceFailure(row, error, at, false);
    await this.#queue.retryOutbox(row.effectId, {
      attempts: attempt,
      lastError: errorText(error),
      at,
    });
    this.notify(at);
  }

  async #failed(
    row: OutboxRow,
    error: unknown,
    policy: EffectsContext['actionRetry'],
  ): Promise<void> {
    const attempt = row.attempts + 1;
    try {
      if (exhausted(policy, attempt, error)) {
        this.#announceFailure(row, error, undefined, true);
        this.#fx.log(`effect ${row.effectId} dead-lettered after ${attempt} attempts`, error);
        await this.#queue.deadLetterOutbox(row.effectId, {
          attempts: attempt,
          lastError: errorText(error),
          at: this.#fx.runtime.clock.now(),
        });
      } else await this.#retry(row, attempt, error, policy);
    } catch (storeError) {
      this.#fx.log(
        `could not record the failure of ${row.effectId}; its lease will expire`,
        storeError,
      );
    }
  }
}

interface Turn {
  /** Resolves when the row before has been queued at its target. */
  readonly ready: Promise<void>;
  /** Lets the next row go (idempotent). */
  readonly release: () => void;
}

function activityKey(row: OutboxRow, activityId: string): string {
  return `${instanceKey(row.machine, row.id)}\u0000${activityId}`;
}
