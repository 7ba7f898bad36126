import type { Command } from 'commander';
import { storeFromUrl } from '../../host/db-url.js';
import { issueApiKey } from '../../server/auth/api-keys.js';
import type { ApiKeyRow, Store } from '../../store/types.js';
import { CliError } from '../exit-codes.js';
import type { CliIo } from '../io.js';
import { dbOf, outputOf, withDbFlags } from '../options.js';
import { isoTime, table } from '../output.js';

/** `keys create|list|revoke` and `db migrate`: they work on the store (`--db`), not over HTTP. */
export function storeCommands(program: Command, io: CliIo): void {
  const keys = program.command('keys').description('manage API keys (in the store named by --db)');

  withDbFlags(
    keys
      .command('create')
      .description('create an API key; prints the token once (only its hash is stored)')
      .requiredOption('--name <name>', 'what the key is for, e.g. ci')
      .option('--subject <subject>', 'the actor id requests act as (default: the name)')
      .option('--roles <roles>', 'comma-separated roles, e.g. admin,warehouse', ''),
  ).action(
    async (flags: {
      name: string;
      subject?: string;
      roles: string;
      db?: string;
      json?: boolean;
    }) => {
      const roles = flags.roles
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean);
      const issued = issueApiKey({
        name: flags.name,
        subject: flags.subject ?? flags.name,
        roles,
        now: Date.now(),
      });
      await withStore(flags, io, (store) => store.putApiKey(issued.row));
      const out = outputOf(flags, io);
      const { hash: _hash, ...shown } = issued.row;
      out.result({ ...shown, token: issued.token }, () => issued.token);
      if (!out.json) {
        out.note(
          `Created API key ${issued.row.keyId} for ${shown.subject} (roles: ${roles.join(', ') || 'none'}). Copy the token now: it cannot be shown again.`,
        );
      }
    },
  );

  withDbFlags(keys.command('list').description('list API keys (never their secrets)')).action(
    async (flags: { db?: string; json?: boolean }) => {
      const { value: rows } = await withStore(flags, io, (store) => store.listApiKeys());
      const shown = rows.map(({ hash: _hash, ...row }: ApiKeyRow) => row);
      outputOf(flags, io).result({ keys: shown }, () =>
        table(
          ['KEY ID', 'NAME', 'SUBJECT', 'ROLES', 'CREATED', 'REVOKED'],
          shown.map((k) => [
            k.keyId,
            k.name,
            k.subject,
            k.roles.join(','),
            isoTime(k.createdAt),
            k.revokedAt ? isoTime(k.revokedAt) : '-',
          ]),
        ),
      );
    },
  );

  withDbFlags(
    keys.command('revoke').description('revoke an API key now').argument('<keyId>'),
  ).action(async (keyId: string, flags: { db?: string; json?: boolean }) => {
    const { value: revoked } = await withStore(flags, io, (store) =>
      store.revokeApiKey(keyId, Date.now()),
    );
    if (!revoked)
      throw new CliError('NOT_FOUND', `No API key ${keyId}. List them with \`stator keys list\`.`, {
        keyId,
      });
    outputOf(flags, io).result({ keyId, revoked: true }, () => `revoked ${keyId}`);
  });

  const db = program.command('db').description('work on the store itself (--db)');
  withDbFlags(
    db
      .command('migrate')
      .description("apply schema migrations: create or upgrade the store's tables"),
  ).action(async (flags: { db?: string; json?: boolean }) => {
    const out = outputOf(flags, io);
    const progress = out.progress(1, 'applying schema migrations');
    let described: string;
    try {
      ({ db: described } = await withStore(flags, io, async () => progress.tick()));
    } finally {
      progress.stop();
    }
    out.result({ db: described, migrated: true }, () => `schema of ${described} is up to date`);
  });
  // "migrate" alone is ambiguous now that machine versions migrate too.
  program
    .command('migrate', { hidden: true })
    .allowUnknownOption()
    .allowExcessArguments()
    .action(() => {
      throw new CliError(
        'USAGE',
        '"stator migrate" is now "stator db migrate" (schema migrations of the store). Machine instances move between versions with "stator migrate-instances".',
      );
    });
}

/** Opens (and migrates) the store, runs `task`, closes it. */
async function withStore<T>(
  flags: { db?: string },
  io: CliIo,
  task: (store: Store) => Promise<T>,
): Promise<{ value: T; db: string }> {
  const { store, description } = await storeFromUrl(dbOf(flags, io.env), { shared: true });
  await store.open();
  try {
    return { value: await task(store), db: description };
  } finally {
    await store.close();
  }
}
