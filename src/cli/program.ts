import { Command, CommanderError } from 'commander';
import { isStatorError } from '../core/errors.js';
import { PROBLEM_CODES } from '../server/http-errors.js';
import { bulkCommand } from './commands/bulk.js';
import { deadLetterCommands } from './commands/dead-letters.js';
import { emitCommands } from './commands/emits.js';
import { graphCommand } from './commands/graph.js';
import { initCommand } from './commands/init.js';
import { instanceCommands } from './commands/instances.js';
import { migrateInstancesCommand } from './commands/migrate-instances.js';
import { operatorCommands } from './commands/operator.js';
import { sendCommand } from './commands/send.js';
import { serveCommand } from './commands/serve.js';
import { storeCommands } from './commands/store.js';
import { stuckCommand } from './commands/stuck.js';
import { versionCommands } from './commands/versions.js';
import { watchCommand } from './commands/watch.js';
import { CliError, codeOf, EXIT_CODES, exitCodeOf } from './exit-codes.js';
import type { CliIo } from './io.js';

/** The `stator` command tree, writing through `io`. */
export function buildProgram(io: CliIo, version = '0.0.0'): Command {
  const program = new Command('stator')
    .description('Durable XState statecharts: serve a machine module and drive its instances.')
    .version(version)
    // `stator shadow order --version 2`: options after a command are that command's.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError('(add --help for usage)');
  serveCommand(program, io);
  instanceCommands(program, io);
  sendCommand(program, io);
  watchCommand(program, io);
  operatorCommands(program, io);
  deadLetterCommands(program, io);
  emitCommands(program, io);
  stuckCommand(program, io);
  bulkCommand(program, io);
  graphCommand(program, io);
  storeCommands(program, io);
  versionCommands(program, io);
  migrateInstancesCommand(program, io);
  initCommand(program, io);
  program.addHelpText(
    'after',
    `
Client commands take --url/STATOR_URL and --token/STATOR_TOKEN; keys and db migrate take --db/STATOR_DB.
Exit codes: 0 ok, 2 usage or invalid request, 3 not found, 4 rejected by the instance's state,
5 unauthenticated, 6 forbidden, 7 a guard or assign threw, 8 server unavailable, 1 other.`,
  );
  return program;
}

/**
 * Runs the CLI on `argv` (without `node` and the script) and returns the exit
 * code. Errors are printed to stderr: `error [CODE]: message`, or with `--json`
 * as `{"error":{"code","message","details"}}`.
 *
 * @example
 * process.exitCode = await runCli(process.argv.slice(2), processIo());
 */
export async function runCli(
  argv: readonly string[],
  io: CliIo,
  version?: string,
): Promise<number> {
  const program = buildProgram(io, version);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_CODES.USAGE;
    const code = codeOf(error);
    const text = error instanceof Error ? error.message : String(error);
    const known = error instanceof CliError || isStatorError(error, PROBLEM_CODES);
    const message = known ? text : `Unexpected failure: ${text}`;
    const details = (error as { details?: unknown }).details ?? {};
    io.stderr(
      argv.includes('--json')
        ? `${JSON.stringify({ error: { code, message, details } })}\n`
        : `error [${code}]: ${message}\n`,
    );
    return exitCodeOf(error);
  }
}
