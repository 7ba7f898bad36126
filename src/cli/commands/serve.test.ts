import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';
import { captureIo } from '../test-support/io.js';
import { serveConfig } from './serve.js';

describe('serveConfig', () => {
  it('takes flags over STATOR_* env over defaults', () => {
    expect(serveConfig({}, {})).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      db: 'sqlite:./.stator/stator.db',
      apiKeys: false,
      jwt: undefined,
      insecure: false,
    });
    const env = {
      STATOR_PORT: '9000',
      STATOR_HOST: '0.0.0.0',
      STATOR_API_KEYS: '1',
      STATOR_JWT_SECRET: 's',
      STATOR_JWT_ISSUER: 'iss',
      STATOR_INSECURE: 'true',
      STATOR_DB: 'memory:',
    };
    expect(serveConfig({}, env)).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      apiKeys: true,
      insecure: true,
      db: 'memory:',
      jwt: { secret: 's', issuer: 'iss' },
    });
    expect(serveConfig({ port: '7000', db: 'sqlite:x.db' }, env)).toMatchObject({
      port: 7000,
      db: 'sqlite:x.db',
    });
  });

  it('refuses contradictory or malformed settings', () => {
    expect(() => serveConfig({ jwtSecret: 'a', jwksUrl: 'http://x' }, {})).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
    expect(() => serveConfig({ port: 'http' }, {})).toThrow(
      expect.objectContaining({ code: 'USAGE' }),
    );
  });
});

describe('serveConfig: metrics and the transition log', () => {
  it('serves metrics and logs transitions at info by default; flags and env change that', () => {
    expect(serveConfig({}, {})).toMatchObject({
      metrics: { public: false },
      transitionLog: { level: 'info', sample: 1 },
    });
    expect(
      serveConfig(
        {},
        {
          STATOR_METRICS_TOKEN: 'tok',
          STATOR_PUBLIC_METRICS: '1',
          STATOR_TRANSITION_LOG: 'debug',
          STATOR_TRANSITION_LOG_SAMPLE: '0.1',
        },
      ),
    ).toMatchObject({
      metrics: { token: 'tok', public: true },
      transitionLog: { level: 'debug', sample: 0.1 },
    });
    expect(
      serveConfig({ metrics: false, transitionLog: 'off' }, { STATOR_METRICS_TOKEN: 'tok' }),
    ).toMatchObject({ metrics: false, transitionLog: false });
    expect(serveConfig({}, { STATOR_METRICS: 'off' })).toMatchObject({ metrics: false });
  });

  it('refuses a bad level, a sample outside 0..1 and an empty token', () => {
    const usage = expect.objectContaining({ code: 'USAGE' });
    expect(() => serveConfig({ transitionLog: 'loud' }, {})).toThrow(usage);
    expect(() => serveConfig({ transitionLogSample: '1.5' }, {})).toThrow(usage);
    expect(() => serveConfig({ transitionLogSample: 'x' }, {})).toThrow(usage);
    expect(() => serveConfig({}, { STATOR_METRICS_TOKEN: ' ' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });
});

describe('stator serve', () => {
  it('serves until asked to stop, then drains and exits 0', async () => {
    const io = captureIo({ env: { STATOR_LOG_LEVEL: 'silent' } });
    const running = runCli(['serve', 'examples/module.ts', '--port', '0', '--db', 'memory:'], io);
    for (let i = 0; i < 200 && !io.err().includes('serving'); i++)
      await new Promise((r) => setTimeout(r, 10));
    const url = /on (http:\/\/\S+)/.exec(io.err())?.[1];
    expect(url).toBeDefined();
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    io.stop();
    expect(await running).toBe(0);
    expect(io.err()).toContain('SIGTERM received, draining');
  });

  it('refuses a second server on the same SQLite file (exit 2), while key tools may use it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stator-two-'));
    const db = `sqlite:${join(dir, 'one.db')}`;
    const io = captureIo({ env: { STATOR_LOG_LEVEL: 'silent' } });
    const running = runCli(['serve', 'examples/module.ts', '--port', '0', '--db', db], io);
    try {
      for (let i = 0; i < 300 && !io.err().includes('serving'); i++)
        await new Promise((r) => setTimeout(r, 10));
      const second = captureIo({ env: { STATOR_LOG_LEVEL: 'silent' } });
      expect(await runCli(['serve', 'examples/module.ts', '--port', '0', '--db', db], second)).toBe(
        2,
      );
      expect(second.err()).toMatch(/already in use by another Stator store \(pid \d+/);
      const keys = captureIo({ env: {} });
      expect(
        await runCli(
          ['keys', 'create', '--name', 'k', '--subject', 's', '--roles', 'admin', '--db', db],
          keys,
        ),
      ).toBe(0);
    } finally {
      io.stop();
      expect(await running).toBe(0);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an empty JWT secret and one shorter than 32 bytes (exit 2)', async () => {
    const empty = captureIo({ env: { STATOR_LOG_LEVEL: 'silent', STATOR_JWT_SECRET: '' } });
    expect(await runCli(['serve', 'examples/module.ts', '--db', 'memory:'], empty)).toBe(2);
    expect(empty.err()).toContain('STATOR_JWT_SECRET is set but empty');
    const short = captureIo({ env: { STATOR_LOG_LEVEL: 'silent' } });
    expect(
      await runCli(
        [
          'serve',
          'examples/module.ts',
          '--db',
          'memory:',
          '--host',
          '0.0.0.0',
          '--jwt-secret',
          'a',
        ],
        short,
      ),
    ).toBe(2);
    expect(short.err()).toContain('HS256 needs at least 32');
  });

  it('refuses a public address without auth (exit 2), unless --insecure', async () => {
    const io = captureIo({ env: { STATOR_LOG_LEVEL: 'silent' } });
    expect(
      await runCli(['serve', 'examples/module.ts', '--host', '0.0.0.0', '--db', 'memory:'], io),
    ).toBe(2);
    expect(io.err()).toContain('Refusing to listen on 0.0.0.0 without authentication');
  });

  it('reports an unloadable module (exit 2)', async () => {
    const io = captureIo({ env: { STATOR_LOG_LEVEL: 'silent' } });
    expect(await runCli(['serve', 'examples/missing.ts', '--db', 'memory:'], io)).toBe(2);
    expect(io.err()).toContain(
      '[CONFIG_INVALID]: Could not load the machine module examples/missing.ts',
    );
  });
});
