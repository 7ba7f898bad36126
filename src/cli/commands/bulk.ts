import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { parseCount, parseDuration, parseJsonFlag } from '../durations.js';
import { CliError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { type ClientFlags, clientOf, outputOf, withClientFlags } from '../options.js';

interface PageResult {
  readonly operation: string;
  readonly processed: number;
  readonly sent: number;
  readonly duplicates: number;
  readonly failed: number;
  readonly skipped: number;
  readonly failures: { id: string; code: string; message: string }[];
  readonly next: string | null;
}

const STATUSES = ['active', 'done', 'error', 'stopped'];

/**
 * `bulk-send`: one event to every instance a selection finds, a page at a
 * time, with progress and a summary. Rerun with the same --operation after a
 * crash: instances it reached already answer with their recorded result.
 */
export function bulkCommand(program: Command, io: CliIo): void {
  withClientFlags(
    program
      .command('bulk-send')
      .description(
        'send an event to every instance in a state (operate policy); rerun with the same --operation to resume',
      )
      .argument('<machine>')
      .argument('<event>', 'event type')
      .option('--state <path>', 'only instances in this state path (substates included)')
      .option('--status <status>', 'active | done | error | stopped', 'active')
      .option('--older-than <duration>', 'only instances in their state at least this long')
      .option('--data <json>', 'event payload fields, as a JSON object')
      .option('--operation <id>', 'bulk operation id (default: a new one, printed to resume with)')
      .option('--page <n>', 'instances per request (1–1000)', '100'),
  ).action(
    async (
      machine: string,
      type: string,
      flags: ClientFlags & {
        state?: string;
        status: string;
        olderThan?: string;
        data?: string;
        operation?: string;
        page: string;
      },
    ) => {
      if (!STATUSES.includes(flags.status)) {
        throw new CliError('USAGE', `--status must be one of ${STATUSES.join(', ')}.`);
      }
      const data = flags.data === undefined ? {} : parseJsonFlag(flags.data, '--data');
      if (typeof data !== 'object' || data === null || Array.isArray(data)) {
        throw new CliError('USAGE', '--data must be a JSON object of payload fields.');
      }
      const operation = flags.operation ?? `bulk-${randomUUID()}`;
      const limit = parseCount(flags.page, '--page');
      const out = outputOf(flags, io);
      const client = clientOf(flags, io);
      if (!flags.operation)
        out.note(`operation ${operation} (rerun with --operation ${operation} to resume)`);
      const total = { processed: 0, sent: 0, duplicates: 0, failed: 0, skipped: 0 };
      const failures: PageResult['failures'] = [];
      let cursor: string | null = null;
      do {
        const page: PageResult = await client.json<PageResult>(
          'POST',
          `/v1/machines/${encodeURIComponent(machine)}/bulk/send`,
          {
            operation,
            event: { ...data, type },
            status: flags.status,
            limit,
            ...(flags.state !== undefined && { state: flags.state }),
            ...(flags.olderThan !== undefined && {
              minTimeInState: parseDuration(flags.olderThan, '--older-than'),
            }),
            ...(cursor !== null && { cursor }),
          },
        );
        total.processed += page.processed;
        total.sent += page.sent;
        total.duplicates += page.duplicates;
        total.failed += page.failed;
        total.skipped += page.skipped;
        failures.push(...page.failures);
        cursor = page.next;
        if (!out.json) {
          out.note(
            `… ${total.processed} instances: ${total.sent} sent, ${total.duplicates} already, ${total.failed} failed`,
          );
        }
      } while (cursor !== null);
      out.result({ operation, ...total, failures }, () => {
        const head = `${operation}: ${total.processed} instances, ${total.sent} sent, ${total.duplicates} already sent by this operation, ${total.failed} failed${total.skipped ? `, ${total.skipped} skipped (not yours to read)` : ''}`;
        const lines = failures.map((f) => `  ${f.id}: [${f.code}] ${f.message}`);
        return [head, ...lines].join('\n');
      });
    },
  );
}
