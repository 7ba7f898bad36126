import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { storeFromUrl } from './db-url.js';

describe('storeFromUrl', () => {
  it('opens sqlite: and memory: stores', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stator-db-'));
    const sqlite = await storeFromUrl(`sqlite:${join(dir, 'x.db')}`);
    expect(sqlite.store.kind).toBe('sqlite');
    expect(sqlite.description).toBe(`sqlite:${join(dir, 'x.db')}`);
    expect((await storeFromUrl('memory:')).store.kind).toBe('memory');
  });

  it('says clearly when PostgreSQL support is missing, without echoing the password', async () => {
    const attempt = storeFromUrl('postgres://app:hunter2@db.internal/stator');
    await attempt.then(
      ({ description }) => expect(description).not.toContain('hunter2'), // a build with stator/postgres
      (error) => {
        expect(error).toMatchObject({ code: 'CONFIG_INVALID' });
        expect(error.message).toMatch(/PostgreSQL support/);
        expect(error.message).not.toContain('hunter2');
      },
    );
  });

  it.each(['mysql://x', 'sqlite:', './file.db'])('refuses %s with CONFIG_INVALID', async (url) => {
    await expect(storeFromUrl(url)).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
