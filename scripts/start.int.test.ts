import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

async function closedWithin(port: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!(await accepts(port))) return true;
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
}

const serving = (child: ChildProcess): Promise<void> =>
  new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stderr.includes('stator: serving')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}):\n${stderr}`)));
  });

describe('npm start', () => {
  it('stops the server when the npm process gets SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stator-start-'));
    const port = await freePort();
    // Its own process group, so that whatever is left behind can be cleaned up.
    const npm = spawn('npm', ['start', '--', '--port', String(port), '--no-demo'], {
      env: { ...process.env, STATOR_DB: `sqlite:${join(dir, 'stator.db')}` },
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    try {
      await serving(npm);
      expect(await accepts(port)).toBe(true);
      npm.kill('SIGTERM');
      expect(await closedWithin(port, 15_000)).toBe(true);
    } finally {
      try {
        process.kill(-(npm.pid as number), 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }, 120_000);
});
