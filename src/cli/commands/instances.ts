import type { Command } from 'commander';
import { formatStateValue } from '../../core/state-value.js';
import type {
  CommandResult,
  HistoryPage,
  InstancePage,
  InstanceState,
} from '../../runtime/types.js';
import { instancePath, readInstancePages } from '../client.js';
import { parseCount, parseDuration, parseJsonFlag } from '../durations.js';
import type { CliIo } from '../io.js';
import { type ClientFlags, clientOf, outputOf, withClientFlags } from '../options.js';
import { describeState, isoTime, table } from '../output.js';

/** `create`, `get`, `ls` and `history`. */
export function instanceCommands(program: Command, io: CliIo): void {
  withClientFlags(
    program
      .command('create')
      .description('create an instance of the newest machine version')
      .argument('<machine>', 'machine name')
      .argument('[id]', 'instance id (default: a random UUID)')
      .option('--input <json>', 'the machine input, as JSON')
      .option('--idempotency-key <key>', 'repeat-safe key'),
  ).action(
    async (
      machine: string,
      id: string | undefined,
      flags: ClientFlags & { input?: string; idempotencyKey?: string },
    ) => {
      const body = {
        ...(id !== undefined && { id }),
        ...(flags.input !== undefined && { input: parseJsonFlag(flags.input, '--input') }),
      };
      const headers = flags.idempotencyKey ? { 'idempotency-key': flags.idempotencyKey } : {};
      const result = await clientOf(flags, io).json<CommandResult>(
        'POST',
        instancePath(machine),
        body,
        headers,
      );
      outputOf(flags, io).result(
        result,
        () => `${result.duplicate ? 'already created: ' : 'created '}${describeState(result)}`,
      );
    },
  );

  withClientFlags(
    program
      .command('get')
      .description("an instance's current state")
      .argument('<machine>')
      .argument('<id>'),
  ).action(async (machine: string, id: string, flags: ClientFlags) => {
    const state = await clientOf(flags, io).json<InstanceState>('GET', instancePath(machine, id));
    outputOf(flags, io).result(state, () => describeState(state));
  });

  withClientFlags(
    program
      .command('ls')
      .description('list instances by state, status and time in state')
      .argument('<machine>')
      .option('--state <path>', 'state path, e.g. paid or paid.packed (substates included)')
      .option('--status <status>', 'active | done | error | stopped')
      .option(
        '--min-time-in-state <duration>',
        'in the current state at least this long: 30s, 5m, 2h, 1d',
      )
      .option('--limit <n>', 'page size (1–1000)')
      .option('--cursor <id>', 'next page after this cursor'),
  ).action(
    async (
      machine: string,
      flags: ClientFlags & {
        state?: string;
        status?: string;
        minTimeInState?: string;
        limit?: string;
        cursor?: string;
      },
    ) => {
      const query = new URLSearchParams();
      if (flags.state) query.set('state', flags.state);
      if (flags.status) query.set('status', flags.status);
      if (flags.minTimeInState)
        query.set(
          'minTimeInState',
          String(parseDuration(flags.minTimeInState, '--min-time-in-state')),
        );
      if (flags.limit) query.set('limit', String(parseCount(flags.limit, '--limit')));
      if (flags.cursor) query.set('cursor', flags.cursor);
      const suffix = query.size ? `?${query}` : '';
      const page = await clientOf(flags, io).json<InstancePage>(
        'GET',
        `${instancePath(machine)}${suffix}`,
      );
      outputOf(flags, io).result(page, () => {
        const rows = page.instances.map((s) => [
          s.id,
          formatStateValue(s.value),
          s.status,
          String(s.seq),
          isoTime(s.stateEnteredAt),
        ]);
        const more = page.next ? `\nmore: --cursor ${page.next}` : '';
        return `${table(['ID', 'STATE', 'STATUS', 'SEQ', 'IN STATE SINCE'], rows)}${more}`;
      });
    },
  );

  withClientFlags(
    program
      .command('history')
      .description("an instance's accepted events, in order")
      .argument('<machine>')
      .argument('<id>')
      .option('--after <seq>', 'events after this seq', '0')
      .option('--limit <n>', 'page size (1–1000)', '100')
      .option('--all', 'follow pages to the end'),
  ).action(
    async (
      machine: string,
      id: string,
      flags: ClientFlags & { after: string; limit: string; all?: boolean },
    ) => {
      const client = clientOf(flags, io);
      const limit = parseCount(flags.limit, '--limit');
      const { items: events, next } = await readInstancePages<HistoryPage['events'][number]>(
        client,
        instancePath(machine, id, '/history'),
        'events',
        { after: parseCount(flags.after, '--after', 0), limit, all: flags.all === true },
      );
      outputOf(flags, io).result({ events, next }, () =>
        table(
          ['SEQ', 'TYPE', 'ACTOR', 'RECORDED', 'PAYLOAD'],
          events.map((e) => [
            String(e.seq),
            e.type,
            e.actor?.id ?? '-',
            isoTime(e.recordedAt),
            JSON.stringify(e.payload),
          ]),
        ),
      );
    },
  );
}
