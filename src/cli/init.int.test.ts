import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { statorRoot } from './init/stator-spec.js';
import { runCli } from './program.js';
import { captureIo } from './test-support/io.js';

const run = promisify(execFile);
const root = statorRoot();

// The project's commands run as from a shell: not inside this vitest or npm run.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([k]) => !k.startsWith('VITEST') && !k.startsWith('npm_') && k !== 'NODE_OPTIONS',
  ),
);

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/**
 * This checkout as an installable package folder, built fresh into a temp
 * folder (package.json, dist/, and links to node_modules and web/), so the
 * test never depends on, or changes, the checkout's own dist/.
 */
async function builtStator(dir: string): Promise<string> {
  const pkg = join(dir, 'stator');
  await mkdir(pkg);
  // Built here already: without `prepare`, installing it does not build again.
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'));
  delete manifest.scripts.prepare;
  await writeFile(join(pkg, 'package.json'), JSON.stringify(manifest, null, 2));
  await symlink(join(root, 'node_modules'), join(pkg, 'node_modules'), 'dir');
  await symlink(join(root, 'web'), join(pkg, 'web'), 'dir');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  await run(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--outDir', join(pkg, 'dist')], {
    cwd: root,
  });
  return pkg;
}

function startBriefly(
  app: string,
  port: number,
): Promise<{ created: number; code: number | null }> {
  return new Promise((resolve, reject) => {
    const npm = spawn('npm', ['start', '--', '--port', String(port)], {
      cwd: app,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
      detached: true,
    });
    let stderr = '';
    let created = 0;
    let asked = false;
    npm.stderr.on('data', async (chunk: Buffer) => {
      stderr += chunk.toString();
      if (asked || !stderr.includes('stator: serving')) return;
      asked = true;
      const res = await fetch(`http://127.0.0.1:${port}/v1/machines/signup/instances`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 's1', input: { email: 'ada@example.com' } }),
      }).catch(() => undefined);
      created = res?.status ?? 0;
      npm.kill('SIGTERM');
    });
    npm.on('error', reject);
    npm.on('exit', (code) => {
      try {
        process.kill(-(npm.pid as number), 'SIGKILL');
      } catch {
        // the group is gone
      }
      resolve({ created, code });
    });
  });
}

describe('stator init, then npm install, npm test and npm start in the new project', () => {
  it('works with the local Stator as a file: dependency', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stator-init-e2e-'));
    const stator = await builtStator(dir);
    const app = join(dir, 'app');
    const io = captureIo({ cwd: dir });
    expect(await runCli(['init', 'app', '--stator', `file:${stator}`], io)).toBe(0);

    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], {
      cwd: app,
      env,
    });
    const tested = await run('npm', ['test'], { cwd: app, env });
    expect(tested.stdout).toMatch(/Tests\s+.*2 passed/);

    const { created, code } = await startBriefly(app, await freePort());
    expect(created).toBe(201);
    expect(code).toBe(0);
  }, 600_000);
});
