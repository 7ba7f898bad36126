import type { Command } from 'commander';
import { DEFAULT_DB } from '../host/db-url.js';
import { DEFAULT_URL, StatorClient } from './client.js';
import type { CliIo } from './io.js';
import { Output } from './output.js';

/** Flags every client command takes. */
export interface ClientFlags {
  readonly url?: string;
  readonly token?: string;
  readonly json?: boolean;
}

/** Adds `--url`, `--token` and `--json` to a client command. */
export function withClientFlags(command: Command): Command {
  return command
    .option('--url <url>', `server URL (env STATOR_URL; default ${DEFAULT_URL})`)
    .option('--token <token>', 'API key (stk_…) or JWT (env STATOR_TOKEN)')
    .option('--json', 'print JSON');
}

/** Adds `--db` and `--json` to a command that works on the store directly. */
export function withDbFlags(command: Command): Command {
  return command
    .option(
      '--db <url>',
      `store: sqlite:<file> | postgres://… (env STATOR_DB; default ${DEFAULT_DB})`,
    )
    .option('--json', 'print JSON');
}

export function clientOf(flags: ClientFlags, io: CliIo): StatorClient {
  return new StatorClient({
    url: flags.url ?? io.env.STATOR_URL ?? DEFAULT_URL,
    token: flags.token ?? io.env.STATOR_TOKEN,
    fetch: io.fetch,
  });
}

export const outputOf = (flags: { json?: boolean }, io: CliIo): Output =>
  new Output(io, flags.json === true);

export const dbOf = (flags: { db?: string }, env: CliIo['env']): string =>
  flags.db ?? env.STATOR_DB ?? DEFAULT_DB;

/** `1`, `true`, `yes` (any case) are true. */
export const envFlag = (value: string | undefined): boolean =>
  value !== undefined && /^(1|true|yes)$/i.test(value);
