import type { Command } from 'commander';
import { formatStateValue } from '../../core/state-value.js';
import type { InstancePage, InstanceState } from '../../runtime/types.js';
import { instancePath } from '../client.js';
import { parseCount, parseDuration } from '../durations.js';
import { CliError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { type ClientFlags, clientOf, outputOf, withClientFlags } from '../options.js';
import { isoTime, table } from '../output.js';

const STATUSES = ['active', 'done', 'error', 'stopped'];

/** `3d 4h`, `2h 5m`, `45s`: how long, to the two largest units. */
export function humanDuration(ms: number): string {
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ];
  const parts: string[] = [];
  let rest = Math.max(0, ms);
  for (const [unit, size] of units) {
    const n = Math.floor(rest / size);
    if (n > 0 || (parts.length === 0 && unit === 's')) parts.push(`${n}${unit}`);
    rest -= n * size;
    if (parts.length === 2) break;
  }
  return parts.join(' ');
}

/**
 * The instances that sit longest in their state, by the index-backed listing
 * (state, status, time in state): follows pages up to `max`, oldest first.
 */
export async function findStuck(
  flags: ClientFlags & { state?: string; status: string; olderThan: number; max: number },
  io: CliIo,
  machine: string,
): Promise<{ instances: InstanceState[]; more: boolean }> {
  const client = clientOf(flags, io);
  const found: InstanceState[] = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({
      status: flags.status,
      minTimeInState: String(flags.olderThan),
      limit: String(Math.min(1000, flags.max - found.length)),
    });
    if (flags.state) query.set('state', flags.state);
    if (cursor) query.set('cursor', cursor);
    const page: InstancePage = await client.json<InstancePage>(
      'GET',
      `${instancePath(machine)}?${query}`,
    );
    found.push(...page.instances);
    cursor = page.next;
  } while (cursor !== null && found.length < flags.max);
  found.sort((a, b) => a.stateEnteredAt - b.stateEnteredAt || (a.id < b.id ? -1 : 1));
  return { instances: found, more: cursor !== null };
}

/** `stuck`: instances in a state (or any) for longer than a duration, oldest first. */
export function stuckCommand(program: Command, io: CliIo): void {
  withClientFlags(
    program
      .command('stuck')
      .description('instances that have been in their state longer than --older-than, oldest first')
      .argument('<machine>')
      .option('--state <path>', 'only this state path (substates included)')
      .option('--older-than <duration>', 'in the state at least this long: 30s, 5m, 2h, 1d', '1h')
      .option('--status <status>', 'active | done | error | stopped', 'active')
      .option('--max <n>', 'list at most this many (oldest of those read)', '1000'),
  ).action(
    async (
      machine: string,
      flags: ClientFlags & { state?: string; olderThan: string; status: string; max: string },
    ) => {
      if (!STATUSES.includes(flags.status)) {
        throw new CliError('USAGE', `--status must be one of ${STATUSES.join(', ')}.`);
      }
      const olderThan = parseDuration(flags.olderThan, '--older-than');
      const max = parseCount(flags.max, '--max');
      const { instances, more } = await findStuck({ ...flags, olderThan, max }, io, machine);
      const now = Date.now();
      outputOf(flags, io).result({ instances, more }, () => {
        const where = flags.state ? ` in ${flags.state}` : '';
        if (instances.length === 0) {
          return `no ${flags.status} ${machine} instances${where} for longer than ${flags.olderThan}`;
        }
        const rows = instances.map((s) => [
          s.id,
          formatStateValue(s.value),
          s.status,
          humanDuration(now - s.stateEnteredAt),
          isoTime(s.stateEnteredAt),
        ]);
        const tail = more ? `\n(more than ${max}: raise --max, or narrow with --state)` : '';
        return `${table(['ID', 'STATE', 'STATUS', 'IN STATE FOR', 'SINCE'], rows)}${tail}`;
      });
    },
  );
}
