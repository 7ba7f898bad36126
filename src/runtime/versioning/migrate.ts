/**
 * Migrating one instance to another version of its machine: a write kind of
 * its own, committed like any event — `stator.migrated` in the instance's log
 * (from, to, the mapping, the state value and context it moved to), audited,
 * with a snapshot on the new version, the timers and activities of left states
 * cancelled and those of entered states set. Replay applies the same pure
 * transform from what the event recorded, so a migrated instance rebuilds from
 * its events alone.
 */
import type { EventObject } from 'xstate';
import { errors, SequenceConflictError, StatorError } from '../../core/errors.js';
import { hasPath, MIGRATED_EVENT, mapStateValue, migrateSnapshot } from '../../core/migrate.js';
import { admitOrDeny, decideOrDeny } from '../authorize.js';
import { committed, envelopeOf, idempotencyOf, recordedResult, submit } from '../commit-path.js';
import type { RuntimeContext } from '../context.js';
import { instanceKey } from '../instance-cache.js';
import { nonJsonAt } from '../json-data.js';
import { load, MAX_CONFLICT_RETRIES } from '../load.js';
import type { MachineRegistry } from '../registry.js';
import type {
  CommandResult,
  MigrateOptions,
  MigrationDeclaration,
  MigrationResult,
} from '../types.js';
import { buildEventWrite, toState } from '../write.js';

export class Migrations {
  readonly #declared: readonly MigrationDeclaration[];

  /** Checks each declaration against the registered versions (CONFIG_INVALID names what is wrong). */
  constructor(registry: MachineRegistry, declared: readonly MigrationDeclaration[] = []) {
    for (const m of declared) check(registry, m);
    this.#declared = declared;
  }

  /** The declaration for this move, if the module declared one. */
  find(machine: string, from: string, to: string): MigrationDeclaration | undefined {
    return this.#declared.find((m) => m.machine === machine && m.from === from && m.to === to);
  }

  all(): readonly MigrationDeclaration[] {
    return this.#declared;
  }
}

function check(registry: MachineRegistry, m: MigrationDeclaration): void {
  const invalid = (why: string) =>
    new StatorError(
      'CONFIG_INVALID',
      `The migration of "${m.machine}" from ${m.from} to ${m.to} ${why}.`,
      { machine: m.machine, from: m.from, to: m.to },
    );
  const versions = registry.versionsOf(m.machine).map((e) => e.version);
  for (const v of [m.from, m.to]) {
    if (!versions.includes(v)) {
      throw invalid(
        `names version ${v}, which is not registered (registered: ${versions.join(', ') || 'none'})`,
      );
    }
  }
  if (m.from === m.to) throw invalid('goes nowhere: "from" and "to" are the same version');
  const from = registry.get(m.machine, m.from).stepper.machine;
  const to = registry.get(m.machine, m.to).stepper.machine;
  for (const [old, next] of Object.entries(m.states ?? {})) {
    if (!hasPath(from, old))
      throw invalid(`maps state "${old}", which version ${m.from} does not have`);
    if (!hasPath(to, next))
      throw invalid(`maps "${old}" to state "${next}", which version ${m.to} does not have`);
  }
}

/** Moves one instance (inside its mailbox) to version `options.to`. */
export async function migrate(
  ctx: RuntimeContext,
  migrations: Migrations,
  machine: string,
  id: string,
  options: MigrateOptions,
  attempt = 0,
): Promise<MigrationResult> {
  const at = ctx.clock.now();
  const asked = envelopeOf({ type: MIGRATED_EVENT, to: options.to } as EventObject, at, options);
  if (attempt === 0) await admitOrDeny(ctx, machine, id, asked);
  const target = ctx.registry.get(machine, options.to);
  const current = await load(ctx, machine, id);
  const { row, entry, snapshot } = current;
  await decideOrDeny(ctx, machine, id, asked, row, false);
  const idem = idempotencyOf(options, false, { migrate: machine, to: options.to });
  const recorded = idem && (await recordedResult(ctx, machine, id, idem, options.idempotencyKey));
  if (recorded) return repeated(ctx, machine, id, recorded);
  if (row.version === options.to) {
    return { ...toState(row), duplicate: true, migrated: false, from: row.version, effects: [] };
  }
  if (row.status !== 'active') {
    throw new StatorError(
      'MIGRATION_NOT_POSSIBLE',
      `Instance ${machine}/${id} is ${row.status}: finished instances stay on the version they ran (${row.version}).`,
      { machine, id, status: row.status },
    );
  }
  const declared = migrations.find(machine, row.version, options.to);
  const value = mapStateValue(snapshot.value, declared?.states ?? {}, target.stepper.machine);
  const context = declared?.context
    ? declared.context(structuredClone(snapshot.context), { from: row.version, to: options.to })
    : snapshot.context;
  const problem = nonJsonAt(context, 'context');
  if (problem) throw errors.contextNotJson(machine, id, MIGRATED_EVENT, problem);
  const step = migrateSnapshot(entry.stepper, target.stepper, snapshot, { value, context, at });
  const event = {
    type: MIGRATED_EVENT,
    from: row.version,
    to: options.to,
    mapping: declared?.states ?? {},
    value: step.snapshot.value,
    context: step.snapshot.context,
  } as EventObject;
  const effects = step.effects.map((e) => ({
    kind: e.kind,
    id: 'timerId' in e ? e.timerId : 'activityId' in e ? e.activityId : '',
  }));
  const planned = { from: row.version, effects };
  if (options.dryRun) {
    return {
      ...toState({ ...row, version: options.to, value: step.snapshot.value, context }),
      duplicate: false,
      migrated: false,
      ...planned,
    };
  }
  const envelope = envelopeOf(event, at, options);
  const write = buildEventWrite({
    entry: target,
    id,
    seq: row.seq + 1,
    envelope,
    previous: row,
    before: snapshot,
    after: step.snapshot,
    effects: step.effects,
    idempotency: idem,
    forceSnapshot: true,
    outboxLease: ctx.outboxLease(at),
  });
  const result = await submit(ctx, write);
  if (!result.ok) {
    ctx.cache.delete(instanceKey(machine, id));
    if (result.code === 'SEQUENCE_CONFLICT' && attempt < MAX_CONFLICT_RETRIES) {
      return migrate(ctx, migrations, machine, id, options, attempt + 1);
    }
    if (result.code === 'IDEMPOTENCY_MISMATCH' && idem) {
      const again = await recordedResult(ctx, machine, id, idem, options.idempotencyKey);
      if (again) return repeated(ctx, machine, id, again);
    }
    throw new SequenceConflictError(machine, id, row.seq, result.actual ?? -1);
  }
  ctx.cache.set(instanceKey(machine, id), {
    entry: target,
    snapshot: step.snapshot,
    row: write.instance,
  });
  return { ...committed(ctx, write, row), migrated: true, ...planned };
}

/** The answer to a repeated key: the recorded migration, with the version it moved from. */
async function repeated(
  ctx: RuntimeContext,
  machine: string,
  id: string,
  recorded: CommandResult,
): Promise<MigrationResult> {
  const [event] = await ctx.store.readEvents(
    { machine, id },
    { after: recorded.seq - 1, limit: 1 },
  );
  const from = event?.type === MIGRATED_EVENT ? String(event.payload.from) : recorded.version;
  return { ...recorded, migrated: event?.type === MIGRATED_EVENT, from, effects: [] };
}
