import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sqliteStore } from '../../sqlite.js';
import { runCli } from '../program.js';
import { captureIo } from '../test-support/io.js';

async function tempDb() {
  return `sqlite:${join(await mkdtemp(join(tmpdir(), 'stator-keys-')), 'k.db')}`;
}

async function cli(argv: string[], env: Record<string, string> = {}) {
  const io = captureIo({ env });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('stator keys', () => {
  it('creates a key (printing the token once, storing only its hash), lists and revokes it', async () => {
    const db = await tempDb();
    const created = await cli([
      'keys',
      'create',
      '--name',
      'ci',
      '--subject',
      'svc-ci',
      '--roles',
      'admin, warehouse',
      '--db',
      db,
    ]);
    expect(created.code).toBe(0);
    const token = created.out.trim();
    expect(token).toMatch(/^stk_[0-9a-f]{16}_/);
    expect(created.err).toContain('cannot be shown again');

    const store = sqliteStore({ path: db.slice('sqlite:'.length) });
    await store.open();
    const [row] = await store.listApiKeys();
    await store.close();
    expect(row).toMatchObject({
      name: 'ci',
      subject: 'svc-ci',
      roles: ['admin', 'warehouse'],
      revokedAt: null,
    });
    expect(JSON.stringify(row)).not.toContain(token.split('_')[2]);

    const listed = JSON.parse((await cli(['keys', 'list', '--json'], { STATOR_DB: db })).out);
    expect(listed.keys).toEqual([expect.objectContaining({ keyId: row?.keyId, name: 'ci' })]);
    expect(listed.keys[0].hash).toBeUndefined();

    expect((await cli(['keys', 'revoke', row!.keyId, '--db', db])).code).toBe(0);
    expect((await cli(['keys', 'list', '--db', db])).out).toMatch(
      /ci\s+svc-ci\s+admin,warehouse\s+\S+\s+\d{4}-/,
    );
    const again = await cli(['keys', 'revoke', 'nope', '--db', db]);
    expect(again).toMatchObject({ code: 3, err: expect.stringContaining('[NOT_FOUND]') });
  });

  it('prints the token in JSON with --json', async () => {
    const created = JSON.parse(
      (await cli(['keys', 'create', '--name', 'bot', '--json', '--db', await tempDb()])).out,
    );
    expect(created).toMatchObject({
      name: 'bot',
      subject: 'bot',
      roles: [],
      token: expect.stringMatching(/^stk_/),
    });
    expect(created.hash).toBeUndefined();
  });

  it('refuses a --db it cannot open', async () => {
    const r = await cli(['keys', 'list', '--db', 'mysql://nope']);
    expect(r).toMatchObject({ code: 2, err: expect.stringContaining('[CONFIG_INVALID]') });
  });
});

describe('stator db migrate', () => {
  it('applies the schema migrations and says so', async () => {
    const db = await tempDb();
    expect(await cli(['db', 'migrate', '--db', db])).toMatchObject({
      code: 0,
      out: `schema of ${db} is up to date\n`,
    });
    expect(JSON.parse((await cli(['db', 'migrate', '--db', db, '--json'])).out)).toEqual({
      db,
      migrated: true,
    });
  });

  it('answers the old "stator migrate" with where it went (exit 2)', async () => {
    const old = await cli(['migrate', '--db', await tempDb()]);
    expect(old.code).toBe(2);
    expect(old.err).toContain('"stator migrate" is now "stator db migrate"');
  });
});
