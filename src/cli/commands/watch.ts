import type { Command } from 'commander';
import { formatStateValue } from '../../core/state-value.js';
import type { InstanceState } from '../../runtime/types.js';
import type { EventRow } from '../../store/types.js';
import { instancePath } from '../client.js';
import { parseCount } from '../durations.js';
import type { CliIo } from '../io.js';
import { type ClientFlags, clientOf, outputOf, withClientFlags } from '../options.js';
import { readSse } from '../sse.js';

/** `watch`: follows an instance's committed transitions (server-sent events). */
export function watchCommand(program: Command, io: CliIo): void {
  withClientFlags(
    program
      .command('watch')
      .description(
        "print an instance's transitions as they commit (history first); ends when it is done",
      )
      .argument('<machine>')
      .argument('<id>')
      .option('--last-event-id <seq>', 'resume after this seq')
      .option('--count <n>', 'stop after this many transitions'),
  ).action(
    async (
      machine: string,
      id: string,
      flags: ClientFlags & { lastEventId?: string; count?: string },
    ) => {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (flags.lastEventId !== undefined)
        headers['last-event-id'] = String(parseCount(flags.lastEventId, '--last-event-id', 0));
      const limit =
        flags.count === undefined ? Number.POSITIVE_INFINITY : parseCount(flags.count, '--count');
      const response = await clientOf(flags, io).raw(
        'GET',
        instancePath(machine, id, '/watch'),
        headers,
      );
      if (!response.body || limit === 0) return;
      const out = outputOf(flags, io);
      let seen = 0;
      for await (const message of readSse(response.body)) {
        if (message.event !== 'transition') continue;
        const data = JSON.parse(message.data) as { event: EventRow; state: InstanceState | null };
        out.result(data, () => {
          const to = data.state
            ? ` → ${formatStateValue(data.state.value)} (${data.state.status})`
            : '';
          return `#${data.event.seq} ${data.event.type} by ${data.event.actor?.id ?? 'anonymous'}${to}`;
        });
        if (++seen >= limit) break;
      }
    },
  );
}
