import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import type { InstancePage, MigrationResult, VersionInfo } from '../../runtime/types.js';
import { instancePath, type StatorClient } from '../client.js';
import { parseCount } from '../durations.js';
import { type CliCode, CliError, codeOf, type EXIT_CODES } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { type ClientFlags, clientOf, outputOf, withClientFlags } from '../options.js';

interface MigrateFlags extends ClientFlags {
  readonly from: string;
  readonly to: string;
  readonly where?: string;
  readonly batch: string;
  /** From --where state=…. */
  state?: string;
  readonly dryRun?: boolean;
  readonly limit?: string;
  readonly concurrency: string;
  readonly operation?: string;
}

/** Answers worth asking again with the same idempotency key. */
const TRANSIENT: ReadonlySet<CliCode> = new Set([
  'COMMIT_OUTCOME_UNKNOWN',
  'RATE_LIMITED',
  'REQUEST_TIMEOUT',
  'ENGINE_CLOSED',
  'SEQUENCE_CONFLICT',
]);
const ATTEMPTS = 5;

/** `state=<path>`, the one condition instances are selected by. */
function stateOf(where: string): string {
  const match = /^state=(.+)$/.exec(where.trim());
  if (!match?.[1]) {
    throw new CliError(
      'USAGE',
      `--where ${JSON.stringify(where)} is not a condition this command knows; use --where state=<path>, e.g. --where state=paid.packed.`,
    );
  }
  return match[1];
}

/**
 * `migrate-instances`: moves the live instances of one version to another, one
 * `POST …/migrate` each, under an idempotency key per instance and operation.
 * Resumable: it lists what is still on `--from`, so a rerun after a crash or a
 * Ctrl-C carries on where the last one stopped, and an answer lost in flight
 * is asked again under the same key (`--operation` to reuse a run's keys).
 */
export function migrateInstancesCommand(program: Command, io: CliIo): void {
  withClientFlags(
    program
      .command('migrate-instances')
      .description("move the live instances of one version to another (the module's migrations)")
      .argument('<machine>')
      .requiredOption('--from <version>', 'the version instances are on')
      .requiredOption('--to <version>', 'the version to move them to')
      .option('--where <condition>', 'only instances in a state or its substates: state=<path>')
      .option('--batch <n>', 'instances listed per page', '200')
      .option('--dry-run', 'work out every move without committing any')
      .option('--limit <n>', 'move at most this many')
      .option('--concurrency <n>', 'requests in flight', '4')
      .option(
        '--operation <id>',
        'idempotency keys of an earlier run to reuse (printed by each run)',
      ),
  ).action(async (machine: string, flags: MigrateFlags) => {
    if (flags.from === flags.to)
      throw new CliError('USAGE', '--from and --to name the same version.');
    if (flags.where !== undefined) flags.state = stateOf(flags.where);
    const client = clientOf(flags, io);
    const out = outputOf(flags, io);
    const operation = flags.operation ?? randomUUID().slice(0, 8);
    const limit =
      flags.limit === undefined ? Number.POSITIVE_INFINITY : parseCount(flags.limit, '--limit');
    const concurrency = parseCount(flags.concurrency, '--concurrency');
    const total = Math.min(limit, await liveOn(client, machine, flags));
    out.note(
      `operation ${operation}: ${flags.dryRun ? 'dry run of ' : ''}${total} instances of ${machine} ${flags.from} → ${flags.to}`,
    );
    const progress = out.progress(total, flags.dryRun ? 'checking' : 'migrating');
    const summary = { operation, migrated: 0, unchanged: 0, failed: 0, failures: [] as Failure[] };
    try {
      for await (const ids of pages(client, machine, flags)) {
        const batch = ids.slice(0, limit - summary.migrated - summary.unchanged - summary.failed);
        if (batch.length === 0) break;
        await inParallel(batch, concurrency, async (id) => {
          try {
            const result = await migrateOne(
              client,
              machine,
              id,
              flags,
              `migrate:${operation}:${id}`,
            );
            if (result.migrated || flags.dryRun) summary.migrated++;
            else summary.unchanged++;
          } catch (error) {
            if (codeOf(error) === 'UNREACHABLE') throw error;
            summary.failed++;
            summary.failures.push({ id, code: codeOf(error), message: (error as Error).message });
          }
          progress.tick();
        });
      }
    } finally {
      progress.stop();
    }
    summary.failures.sort((a, b) => a.id.localeCompare(b.id));
    out.result(summary, () =>
      [
        `${flags.dryRun ? 'would migrate' : 'migrated'} ${summary.migrated}, unchanged ${summary.unchanged}, failed ${summary.failed} (operation ${operation})`,
        ...summary.failures.map((f) => `  ${f.id}: [${f.code}] ${f.message}`),
      ].join('\n'),
    );
    const first = summary.failures[0];
    if (first) {
      throw new CliError(
        first.code as keyof typeof EXIT_CODES,
        `${summary.failed} instances were not migrated; fix the cause and run the command again (it resumes with those still on ${flags.from}).`,
        { reported: true },
      );
    }
  });
}

interface Failure {
  readonly id: string;
  readonly code: string;
  readonly message: string;
}

async function liveOn(client: StatorClient, machine: string, flags: MigrateFlags): Promise<number> {
  const { versions } = await client.json<{ versions: VersionInfo[] }>(
    'GET',
    `/v1/machines/${encodeURIComponent(machine)}/versions`,
  );
  const from = versions.find((v) => v.version === flags.from);
  if (!from) {
    throw new CliError(
      'MACHINE_VERSION_NOT_FOUND',
      `Machine ${machine} has no version "${flags.from}" (versions: ${versions.map((v) => v.version).join(', ')}).`,
    );
  }
  if (!versions.some((v) => v.version === flags.to && v.registered)) {
    throw new CliError(
      'MACHINE_VERSION_NOT_FOUND',
      `Version "${flags.to}" of ${machine} is not registered on the server: add it to the module's machines and restart.`,
    );
  }
  if (flags.state === undefined) return from.live.total;
  const prefix = flags.state;
  return (
    Object.entries(from.live.states)
      // A state key lists the active leaves, comma-separated (parallel regions).
      .filter(([key]) =>
        key.split(',').some((leaf) => leaf === prefix || leaf.startsWith(`${prefix}.`)),
      )
      .reduce((sum, [, n]) => sum + n, 0)
  );
}

/** Ids of the live instances still on `--from`, page by page (cursor order, so moved ones are not met again). */
async function* pages(
  client: StatorClient,
  machine: string,
  flags: MigrateFlags,
): AsyncGenerator<string[]> {
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({
      version: flags.from,
      status: 'active',
      limit: String(parseCount(flags.batch, '--batch')),
      ...(flags.state !== undefined && { state: flags.state }),
      ...(cursor !== null && { cursor }),
    });
    const page: InstancePage = await client.json<InstancePage>(
      'GET',
      `${instancePath(machine)}?${query}`,
    );
    yield page.instances.map((s) => s.id);
    cursor = page.next;
  } while (cursor !== null);
}

async function migrateOne(
  client: StatorClient,
  machine: string,
  id: string,
  flags: MigrateFlags,
  key: string,
): Promise<MigrationResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.json<MigrationResult>(
        'POST',
        instancePath(machine, id, '/migrate'),
        { to: flags.to, ...(flags.dryRun && { dryRun: true }) },
        flags.dryRun ? {} : { 'idempotency-key': key },
      );
    } catch (error) {
      if (attempt >= ATTEMPTS || !TRANSIENT.has(codeOf(error))) throw error;
      await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
    }
  }
}

async function inParallel<T>(
  items: readonly T[],
  n: number,
  run: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < items.length; i = next++) await run(items[i] as T);
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
}
