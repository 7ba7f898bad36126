import type { Command } from 'commander';
import type { EmitRecord } from '../../store/types.js';
import { parseCount } from '../durations.js';
import { CliError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { type ClientFlags, clientOf, outputOf, withClientFlags } from '../options.js';
import { readSse } from '../sse.js';

const line = (e: EmitRecord) =>
  `#${e.position} ${e.event.type} from ${e.machine}/${e.id} (seq ${e.seq}) ${JSON.stringify(e.event)}`;

/** `emits`: reads or follows the emit log; `emits ack`: moves a subscriber's cursor. */
export function emitCommands(program: Command, io: CliIo): void {
  const emits = withClientFlags(
    program
      .command('emits')
      .description(
        'the emit log in commit order: a page, or --follow it live (resumable per --subscriber)',
      )
      .option('--after <position>', 'emits after this position')
      .option('--limit <n>', 'page size (1–1000); with --follow, stop after n emits')
      .option('--follow', 'stream: the log, then live emits')
      .option('--subscriber <name>', 'with --follow: start after this subscriber’s cursor')
      .option('--ack', 'with --subscriber: move its cursor past each emit once printed'),
  ).action(
    async (
      flags: ClientFlags & {
        after?: string;
        limit?: string;
        follow?: boolean;
        subscriber?: string;
        ack?: boolean;
      },
    ) => {
      const client = clientOf(flags, io);
      const out = outputOf(flags, io);
      const query = new URLSearchParams();
      if (flags.after !== undefined)
        query.set('after', String(parseCount(flags.after, '--after', 0)));
      if (!flags.follow) {
        if (flags.subscriber || flags.ack) {
          throw new CliError('USAGE', '--subscriber and --ack go with --follow.');
        }
        if (flags.limit !== undefined)
          query.set('limit', String(parseCount(flags.limit, '--limit')));
        const page = await client.json<{ emits: EmitRecord[]; next: number | null; last: number }>(
          'GET',
          `/v1/emits${query.size ? `?${query}` : ''}`,
        );
        out.result(page, () => {
          const lines = page.emits.map(line);
          if (page.next !== null) lines.push(`more: --after ${page.next}`);
          return lines.length ? lines.join('\n') : `no emits after ${page.last}`;
        });
        return;
      }
      if (flags.ack && !flags.subscriber) {
        throw new CliError(
          'USAGE',
          '--ack moves a subscriber’s cursor: name it with --subscriber.',
        );
      }
      if (flags.subscriber) query.set('subscriber', flags.subscriber);
      // Acknowledged here, after each emit is printed (at least once), not by the stream
      // (ack=auto acknowledges what was sent, read or not).
      const subscriber = flags.ack ? flags.subscriber : undefined;
      const count =
        flags.limit === undefined ? Number.POSITIVE_INFINITY : parseCount(flags.limit, '--limit');
      const response = await client.raw('GET', `/v1/emits/stream${query.size ? `?${query}` : ''}`, {
        accept: 'text/event-stream',
      });
      if (!response.body) return;
      let seen = 0;
      const stopped = io.stopRequested().then(() => 'stop' as const);
      const messages = readSse(response.body)[Symbol.asyncIterator]();
      for (;;) {
        const next = await Promise.race([messages.next(), stopped]);
        if (next === 'stop' || next.done) break;
        if (next.value.event !== 'emit') continue;
        const emit = JSON.parse(next.value.data) as EmitRecord;
        out.result(emit, () => line(emit));
        if (subscriber !== undefined) {
          await client.json('POST', `/v1/emits/cursors/${encodeURIComponent(subscriber)}`, {
            position: emit.position,
          });
        }
        if (++seen >= count) break;
      }
      await messages.return?.(undefined);
    },
  );

  withClientFlags(
    emits
      .command('ack')
      .description('acknowledge emits up to a position for a subscriber (or rewind its cursor)')
      .argument('<subscriber>')
      .argument('<position>'),
  ).action(async (subscriber: string, position: string, flags: ClientFlags) => {
    const body = { position: parseCount(position, '<position>', 0) };
    const result = await clientOf(flags, io).json<{ subscriber: string; position: number }>(
      'POST',
      `/v1/emits/cursors/${encodeURIComponent(subscriber)}`,
      body,
    );
    outputOf(flags, io).result(result, () => `${subscriber} at ${result.position}`);
  });
}
