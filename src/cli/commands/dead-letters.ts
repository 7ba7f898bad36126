import type { Command } from 'commander';
import type { OutboxRow, TimerRow } from '../../store/types.js';
import { parseCount } from '../durations.js';
import { CliError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { type ClientFlags, clientOf, outputOf, withClientFlags } from '../options.js';
import { isoTime, table } from '../output.js';
import { effectName } from './operator.js';

interface DeadLetter {
  readonly kind: 'timer' | 'effect';
  readonly machine: string;
  readonly id: string;
  readonly ref: string;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly timer?: TimerRow;
  readonly effect?: OutboxRow;
}

const PREFIX = '/v1/dead-letters/';
const enc = encodeURIComponent;

/**
 * The short name `ls` prints for a dead letter, and what the other
 * subcommands take: an effect id (`mailer/m-1/2/0`), `timer/<machine>/<id>/<timerId>`,
 * or the `ref` path of the JSON output.
 */
export function shortRef(letter: DeadLetter): string {
  if (letter.effect) return letter.effect.effectId;
  return `timer/${letter.machine}/${letter.id}/${letter.timer?.timerId ?? ''}`;
}

/** The API path of a dead letter named as `ls` prints it. */
export function refToPath(ref: string): string {
  if (ref.startsWith(PREFIX)) return ref;
  if (ref.startsWith('timer/')) {
    const [, machine, id, ...rest] = ref.split('/');
    const timerId = rest.join('/');
    if (!machine || !id || !timerId) {
      throw new CliError(
        'USAGE',
        `"${ref}" is not a timer reference: use timer/<machine>/<id>/<timerId>, as \`stator dead-letters ls\` prints it.`,
      );
    }
    return `${PREFIX}timers/${enc(machine)}/${enc(id)}/${enc(timerId)}`;
  }
  return `${PREFIX}effects/${enc(ref)}`;
}

/** `dead-letters ls|show|retry|discard`. */
export function deadLetterCommands(program: Command, io: CliIo): void {
  const group = program
    .command('dead-letters')
    .description('timers and effects that failed their last retry: list, show, retry, discard');

  withClientFlags(
    group
      .command('ls')
      .description('list dead letters')
      .option('--machine <name>', 'only this machine')
      .option('--kind <kind>', 'timer | effect')
      .option('--limit <n>', 'at most this many (1–1000)'),
  ).action(async (flags: ClientFlags & { machine?: string; kind?: string; limit?: string }) => {
    const query = new URLSearchParams();
    if (flags.machine) query.set('machine', flags.machine);
    if (flags.kind) query.set('kind', flags.kind);
    if (flags.limit) query.set('limit', String(parseCount(flags.limit, '--limit')));
    const suffix = query.size ? `?${query}` : '';
    const list = await clientOf(flags, io).json<{ deadLetters: DeadLetter[]; truncated: boolean }>(
      'GET',
      `/v1/dead-letters${suffix}`,
    );
    outputOf(flags, io).result(list, () => {
      if (list.deadLetters.length === 0) return 'no dead letters';
      const rows = list.deadLetters.map((d) => [
        shortRef(d),
        d.kind === 'timer'
          ? `timer ${d.timer?.event.type ?? ''}`
          : d.effect
            ? effectName(d.effect)
            : '',
        `${d.machine}/${d.id}`,
        String(d.attempts),
        d.lastError ?? '',
      ]);
      const more = list.truncated ? '\n(more exist: narrow with --machine or raise --limit)' : '';
      return `${table(['REF', 'WHAT', 'INSTANCE', 'ATTEMPTS', 'LAST ERROR'], rows)}${more}`;
    });
  });

  withClientFlags(
    group
      .command('show')
      .description('one dead letter, in full')
      .argument('<ref>', 'as `ls` prints it'),
  ).action(async (ref: string, flags: ClientFlags) => {
    const letter = await clientOf(flags, io).json<DeadLetter>('GET', refToPath(ref));
    outputOf(flags, io).result(letter, () => {
      const when = letter.timer
        ? `due ${isoTime(letter.timer.dueAt)}`
        : `created ${isoTime(letter.effect?.createdAt ?? 0)}`;
      return [
        `${letter.kind} ${shortRef(letter)} of ${letter.machine}/${letter.id}, ${when}`,
        `attempts: ${letter.attempts}`,
        `last error: ${letter.lastError ?? '-'}`,
        JSON.stringify(letter.timer ? letter.timer.event : letter.effect?.effect, null, 2),
      ].join('\n');
    });
  });

  for (const [name, description, done] of [
    ['retry', 'put a dead letter back in line, due now (operate policy)', 'retried'],
    [
      'discard',
      'delete a dead letter for good, audited on its instance (operate policy)',
      'discarded',
    ],
  ] as const) {
    withClientFlags(
      group.command(name).description(description).argument('<ref...>', 'as `ls` prints them'),
    ).action(async (refs: string[], flags: ClientFlags) => {
      const client = clientOf(flags, io);
      const results = [];
      for (const ref of refs) {
        results.push(await client.json<{ ref: string }>('POST', `${refToPath(ref)}/${name}`));
      }
      outputOf(flags, io).result(results.length === 1 ? results[0] : results, () =>
        refs.map((r) => `${done} ${r}`).join('\n'),
      );
    });
  }
}
