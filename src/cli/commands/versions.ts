import type { Command } from 'commander';
import type { Assessment } from '../../analysis/assess.js';
import { assessModule } from '../../host/assess-module.js';
import { storeFromUrl } from '../../host/db-url.js';
import { loadModule } from '../../host/module.js';
import type { ShadowReport, VersionInfo } from '../../runtime/types.js';
import { parseCount } from '../durations.js';
import { CliError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { type ClientFlags, clientOf, outputOf, withClientFlags } from '../options.js';
import { isoTime, table } from '../output.js';

const machinePath = (machine: string, rest: string) =>
  `/v1/machines/${encodeURIComponent(machine)}${rest}`;

interface VersionList {
  readonly versions: readonly VersionInfo[];
  readonly shadow?: { candidate: string; compared: number; diverged: number; skipped: number };
}

/** `versions`, `diff` and `shadow`: what versions there are and what moving between them does. */
export function versionCommands(program: Command, io: CliIo): void {
  withClientFlags(
    program
      .command('versions')
      .description('list the versions of a machine, with their live instances')
      .argument('<machine>'),
  ).action(async (machine: string, flags: ClientFlags) => {
    const list = await clientOf(flags, io).json<VersionList>(
      'GET',
      machinePath(machine, '/versions'),
    );
    outputOf(flags, io).result(list, () => describeVersions(list));
  });

  withClientFlags(
    program
      .command('diff')
      .description(
        'what moving the live instances of one version to another does to them (exit 4 when blocked)',
      )
      .argument(
        '<module-or-machine>',
        'a machine module (offline, before deploying it) or, alone, a machine on the server',
      )
      .argument('[machine]', 'the machine, when a module is given')
      .requiredOption('--from <version>', 'the version instances are on')
      .requiredOption('--to <version>', 'the version they would move to')
      .option(
        '--db <url>',
        'with a module: the store whose live instances to weigh (sqlite:<file> | postgres://…); without it, definitions only',
      ),
  )
    .addHelpText(
      'after',
      `
Before deploying version 2:  stator diff ./module.ts order --from 1 --to 2 --db postgres://…
Against a running server:    stator diff order --from 1 --to 2`,
    )
    .action(async (first: string, second: string | undefined, flags: DiffFlags) => {
      const machine = second ?? first;
      const assessment =
        second === undefined
          ? await serverAssessment(io, flags, machine)
          : await moduleAssessment(io, first, second, flags);
      outputOf(flags, io).result(assessment, () => describeAssessment(assessment, flags));
      if (assessment.blocked) {
        throw new CliError(
          'MIGRATION_NOT_POSSIBLE',
          `Moving ${machine} from ${flags.from} to ${flags.to} is blocked: map the removed states in the module's migrations (states: { old: 'new' }) or keep version ${flags.from} registered until its instances finish.`,
          { reported: true },
        );
      }
    });

  withClientFlags(
    program
      .command('shadow')
      .description(
        'replay recorded histories on a candidate version and report where they differ (exit 4 when any does)',
      )
      .argument('<machine>')
      .option('--version <version>', 'the registered version to replay on')
      .option('--candidate <version>', 'the same as --version')
      .option('--sample <n>', 'examine at most this many instances', '1000')
      .option('--ids <ids>', 'only these instances, comma-separated'),
  ).action(
    async (
      machine: string,
      flags: ClientFlags & { candidate?: string; version?: string; sample: string; ids?: string },
    ) => {
      const candidate = flags.version ?? flags.candidate;
      if (candidate === undefined) {
        throw new CliError('USAGE', 'Name the version to replay on: --version <v>.');
      }
      const ids = flags.ids
        ?.split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const body = {
        candidate,
        ...(ids?.length ? { ids } : { sample: parseCount(flags.sample, '--sample') }),
      };
      const report = await clientOf(flags, io).json<ShadowReport & { hidden?: number }>(
        'POST',
        machinePath(machine, '/shadow'),
        body,
      );
      outputOf(flags, io).result(report, () => describeShadow(report));
      const diverged = report.divergences.length + (report.hidden ?? 0);
      if (diverged > 0) {
        throw new CliError(
          'MIGRATION_NOT_POSSIBLE',
          `${diverged} of ${report.examined} histories run differently on version ${candidate}.`,
          { reported: true },
        );
      }
    },
  );
}

interface DiffFlags extends ClientFlags {
  readonly from: string;
  readonly to: string;
  readonly db?: string;
}

function serverAssessment(io: CliIo, flags: DiffFlags, machine: string): Promise<Assessment> {
  if (flags.db !== undefined) {
    throw new CliError(
      'USAGE',
      '--db goes with a module: stator diff <module> <machine> --from … --to … --db …',
    );
  }
  const query = new URLSearchParams({ from: flags.from, to: flags.to });
  return clientOf(flags, io).json<Assessment>('GET', machinePath(machine, `/diff?${query}`));
}

/** Offline: the module as it would be deployed, and (with --db) the instances the store holds now. */
async function moduleAssessment(
  io: CliIo,
  modulePath: string,
  machine: string,
  flags: DiffFlags,
): Promise<Assessment> {
  const mod = await loadModule(modulePath, io.cwd);
  if (flags.db === undefined) return assessModule(mod, machine, flags.from, flags.to);
  const { store } = await storeFromUrl(flags.db, { shared: true });
  await store.open();
  try {
    return await assessModule(mod, machine, flags.from, flags.to, store);
  } finally {
    await store.close();
  }
}

function describeVersions(list: VersionList): string {
  const rows = list.versions.map((v) => [
    v.version,
    [
      v.latest && 'latest',
      v.share !== undefined && `share ${v.share}`,
      !v.registered && 'unregistered',
    ]
      .filter(Boolean)
      .join(', '),
    String(v.live.total),
    Object.entries(v.live.states)
      .map(([state, n]) => `${state} ${n}`)
      .join(', '),
    v.retirable ? 'yes' : 'no',
    v.fingerprint.slice(0, 19),
    isoTime(v.registeredAt),
  ]);
  const shadow = list.shadow
    ? `\nlive shadow on ${list.shadow.candidate}: ${list.shadow.compared} events compared, ${list.shadow.diverged} instances diverged, ${list.shadow.skipped} skipped`
    : '';
  return (
    table(
      ['VERSION', 'NOTES', 'LIVE', 'BY STATE', 'RETIRABLE', 'FINGERPRINT', 'REGISTERED'],
      rows,
    ) + shadow
  );
}

function describeAssessment(a: Assessment, flags: { from: string; to: string }): string {
  const states = a.states.map((s) => [
    s.state || '(machine)',
    s.live === undefined ? '?' : String(s.live),
    s.verdict,
    s.reasons.join('; '),
  ]);
  const changes = a.changes.map((c) => `  ${c.verdict.padEnd(7)} ${c.detail}`);
  return [
    `${a.machine} ${flags.from} → ${flags.to}: ${a.verdict}${a.blocked ? ' (blocked)' : ''}`,
    table(['STATE', 'LIVE', 'VERDICT', 'WHY'], states),
    ...(changes.length ? ['changes:', ...changes] : ['no changes']),
  ].join('\n');
}

function describeShadow(r: ShadowReport & { hidden?: number }): string {
  const lines = [
    `${r.machine} on ${r.candidate}: ${r.examined} histories replayed, ${r.identical} identical, ${r.divergences.length} diverged${r.hidden ? ` (+${r.hidden} you may not read)` : ''}`,
  ];
  for (const d of r.divergences)
    lines.push(`  ${d.id} at seq ${d.seq} (${d.eventType}): ${d.reason}`);
  return lines.join('\n');
}
