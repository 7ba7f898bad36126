import type { Command } from 'commander';
import { formatStateValue } from '../../core/state-value.js';
import type { CommandResult, PendingWork } from '../../runtime/types.js';
import type { AuditRecord, OutboxRow } from '../../store/types.js';
import { instancePath, readInstancePages } from '../client.js';
import { parseCount } from '../durations.js';
import type { CliIo } from '../io.js';
import { type ClientFlags, clientOf, outputOf, withClientFlags } from '../options.js';
import { describeState, isoTime, table } from '../output.js';

/** `audit`, `pending`, `stop` and `retry-effect`: one instance, as an operator sees it. */
export function operatorCommands(program: Command, io: CliIo): void {
  withClientFlags(
    program
      .command('audit')
      .description(
        "an instance's audit log: every decision about an event, rejections included, by whom",
      )
      .argument('<machine>')
      .argument('<id>')
      .option('--after <position>', 'entries after this position', '0')
      .option('--limit <n>', 'page size (1–1000)', '100')
      .option('--all', 'follow pages to the end'),
  ).action(
    async (
      machine: string,
      id: string,
      flags: ClientFlags & { after: string; limit: string; all?: boolean },
    ) => {
      const client = clientOf(flags, io);
      const { items: entries, next } = await readInstancePages<AuditRecord>(
        client,
        instancePath(machine, id, '/audit'),
        'entries',
        {
          after: parseCount(flags.after, '--after', 0),
          limit: parseCount(flags.limit, '--limit'),
          all: flags.all === true,
        },
      );
      outputOf(flags, io).result({ entries, next }, () => {
        const rows = entries.map((e) => [
          String(e.position),
          isoTime(e.at),
          e.eventType,
          e.outcome,
          e.actor?.id ?? '-',
          e.from === null ? '-' : formatStateValue(e.from),
          e.to === null ? '-' : formatStateValue(e.to),
          e.reason ?? '',
        ]);
        const more = next !== null ? `\nmore: --after ${next}` : '';
        return `${table(['POS', 'AT', 'EVENT', 'OUTCOME', 'ACTOR', 'FROM', 'TO', 'REASON'], rows)}${more}`;
      });
    },
  );

  withClientFlags(
    program
      .command('pending')
      .description(
        'what an instance waits for: its timers, and activities running or waiting to retry',
      )
      .argument('<machine>')
      .argument('<id>'),
  ).action(async (machine: string, id: string, flags: ClientFlags) => {
    const work = await clientOf(flags, io).json<
      PendingWork & { status: string; value: CommandResult['value']; stateEnteredAt: number }
    >('GET', instancePath(machine, id, '/pending'));
    outputOf(flags, io).result(work, () => {
      const head = `${machine}/${id} ${formatStateValue(work.value)} (${work.status}) since ${isoTime(work.stateEnteredAt)}`;
      const timers = work.timers.length
        ? table(
            ['TIMER', 'DUE', 'EVENT', 'STATUS'],
            work.timers.map((t) => [
              t.timerId,
              isoTime(t.dueAt),
              t.event.type,
              t.status ?? 'pending',
            ]),
          )
        : 'no timers';
      const effects = work.effects.length
        ? table(
            ['EFFECT', 'KIND', 'STATUS', 'ATTEMPTS', 'NEXT ATTEMPT', 'LAST ERROR'],
            work.effects.map((e) => [
              e.effectId,
              effectName(e),
              e.status ?? 'pending',
              String(e.attempts),
              isoTime(e.nextAttemptAt),
              e.lastError ?? '',
            ]),
          )
        : 'no unfinished effects';
      return `${head}\n\n${timers}\n\n${effects}`;
    });
  });

  withClientFlags(
    program
      .command('stop')
      .description("stop an instance (xstate.stop): needs the machine's operate policy")
      .argument('<machine>')
      .argument('<id>')
      .option('--reason <text>', 'why, kept in its history')
      .option('--idempotency-key <key>', 'repeat-safe key'),
  ).action(
    async (
      machine: string,
      id: string,
      flags: ClientFlags & { reason?: string; idempotencyKey?: string },
    ) => {
      const headers = flags.idempotencyKey ? { 'idempotency-key': flags.idempotencyKey } : {};
      const body = flags.reason !== undefined ? { reason: flags.reason } : {};
      const result = await clientOf(flags, io).json<CommandResult>(
        'POST',
        instancePath(machine, id, '/stop'),
        body,
        headers,
      );
      outputOf(flags, io).result(
        result,
        () => `${result.duplicate ? 'already stopped: ' : 'stopped '}${describeState(result)}`,
      );
    },
  );

  withClientFlags(
    program
      .command('retry-effect')
      .description(
        'run an activity or action waiting for its next retry now (see `stator pending`)',
      )
      .argument('<machine>')
      .argument('<id>')
      .argument('<effectId>', 'e.g. payment/p-1/3/0'),
  ).action(async (machine: string, id: string, effectId: string, flags: ClientFlags) => {
    const path = instancePath(machine, id, `/effects/${encodeURIComponent(effectId)}/retry`);
    const result = await clientOf(flags, io).json<{ effect: OutboxRow }>('POST', path);
    outputOf(flags, io).result(
      result,
      () => `retrying ${effectId} now (${effectName(result.effect)})`,
    );
  });
}

/** `activity.start charge`, `action notify`, `send`. */
export function effectName(row: OutboxRow): string {
  const e = row.effect as { kind: string; src?: string; type?: string };
  return [e.kind, e.src ?? e.type].filter(Boolean).join(' ');
}
