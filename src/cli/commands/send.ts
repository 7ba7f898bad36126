import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import type { CommandResult } from '../../runtime/types.js';
import { instancePath, type StatorClient } from '../client.js';
import { parseCount, parseJsonFlag } from '../durations.js';
import { CliError, codeOf, type EXIT_CODES } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { type ClientFlags, clientOf, outputOf, withClientFlags } from '../options.js';
import { describeState } from '../output.js';

interface SendFlags extends ClientFlags {
  data?: string;
  idempotencyKey?: string;
  file?: string;
  concurrency: string;
}

/** One line of a bulk file. */
interface BulkLine {
  readonly line: number;
  readonly id: string;
  readonly event: { readonly type: string };
  readonly idempotencyKey?: string;
}

/** `send`: one event, or many from an NDJSON file with a progress bar. */
export function sendCommand(program: Command, io: CliIo): void {
  withClientFlags(
    program
      .command('send')
      .description('send an event (or, with --file, many events) to instances')
      .argument('<machine>')
      .argument('[id]', 'instance id (not with --file)')
      .argument('[type]', 'event type, e.g. Pay (not with --file)')
      .option('--data <json>', 'event payload fields, as a JSON object')
      .option('--idempotency-key <key>', 'repeat-safe key')
      .option(
        '--file <ndjson>',
        'bulk: one {"id":…,"event":{"type":…},"idempotencyKey"?:…} per line',
      )
      .option('--concurrency <n>', 'bulk: requests in flight', '8'),
  ).action(
    async (machine: string, id: string | undefined, type: string | undefined, flags: SendFlags) => {
      const client = clientOf(flags, io);
      if (flags.file) {
        if (id !== undefined)
          throw new CliError('USAGE', 'Give either --file or <id> <type>, not both.');
        return bulk(client, machine, await readBulk(resolve(io.cwd, flags.file)), flags, io);
      }
      if (id === undefined || type === undefined) {
        throw new CliError(
          'USAGE',
          'Name the instance and the event: stator send <machine> <id> <type> [--data json].',
        );
      }
      const data = flags.data === undefined ? {} : parseJsonFlag(flags.data, '--data');
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new CliError(
          'USAGE',
          '--data must be a JSON object of payload fields, like \'{"amount":40}\'.',
        );
      }
      const headers = flags.idempotencyKey ? { 'idempotency-key': flags.idempotencyKey } : {};
      const result = await client.json<CommandResult>(
        'POST',
        instancePath(machine, id, '/events'),
        { ...data, type },
        headers,
      );
      outputOf(flags, io).result(
        result,
        () => `${result.duplicate ? 'already applied: ' : ''}${describeState(result)}`,
      );
    },
  );
}

async function readBulk(path: string): Promise<BulkLine[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError('USAGE', `Cannot read --file ${path}: ${(error as Error).message}`);
  }
  const lines: BulkLine[] = [];
  text.split('\n').forEach((raw, index) => {
    if (!raw.trim()) return;
    const value = parseJsonFlag(raw, `--file line ${index + 1}`) as Partial<BulkLine>;
    if (typeof value?.id !== 'string' || typeof value.event?.type !== 'string') {
      throw new CliError(
        'USAGE',
        `--file line ${index + 1} needs {"id": "...", "event": {"type": "..."}}.`,
      );
    }
    lines.push({ ...value, line: index + 1 } as BulkLine);
  });
  return lines;
}

async function bulk(
  client: StatorClient,
  machine: string,
  lines: BulkLine[],
  flags: SendFlags,
  io: CliIo,
): Promise<void> {
  const out = outputOf(flags, io);
  const progress = out.progress(lines.length, 'sending');
  const failures: { line: number; id: string; code: string; message: string }[] = [];
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < lines.length; i = next++) {
      const item = lines[i]!;
      try {
        const headers = item.idempotencyKey ? { 'idempotency-key': item.idempotencyKey } : {};
        await client.json('POST', instancePath(machine, item.id, '/events'), item.event, headers);
      } catch (error) {
        if (codeOf(error) === 'UNREACHABLE') throw error;
        failures.push({
          line: item.line,
          id: item.id,
          code: codeOf(error),
          message: (error as Error).message,
        });
      }
      progress.tick();
    }
  };
  try {
    const workers = Array.from(
      { length: Math.min(parseCount(flags.concurrency, '--concurrency'), lines.length) },
      worker,
    );
    await Promise.all(workers);
  } finally {
    progress.stop();
  }
  failures.sort((a, b) => a.line - b.line);
  const summary = { sent: lines.length - failures.length, failed: failures.length, failures };
  out.result(summary, () =>
    [
      `sent ${summary.sent} of ${lines.length} events${failures.length ? `; ${failures.length} failed:` : ''}`,
      ...failures.map((f) => `  line ${f.line} (${f.id}): [${f.code}] ${f.message}`),
    ].join('\n'),
  );
  const first = failures[0];
  if (first) {
    throw new CliError(
      first.code as keyof typeof EXIT_CODES,
      `${failures.length} of ${lines.length} events failed.`,
      { reported: true },
    );
  }
}
