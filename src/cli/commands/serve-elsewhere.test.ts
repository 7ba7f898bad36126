import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

// A real `node` process: vitest's own resolver would find xstate from this
// repository and hide what a user's module sees.
const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

const machineSource = `import { createMachine } from 'xstate';
export const machines = [createMachine({ id: 'light', initial: 'red', states: { red: { on: { Go: 'green' } }, green: {} } })];
`;

/** Runs `stator serve <file>` until it serves (then stops it) or exits. */
function serve(file: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...CLI, 'serve', file, '--db', 'memory:', '--port', '0'],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    let stopped = false;
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (stopped || !stderr.includes('stator: serving')) return;
      stopped = true;
      child.kill('SIGTERM');
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stderr }));
  });
}

describe('stator serve of a module outside this repository', () => {
  it.each(['machines.ts', 'machines.mjs'])(
    'says which folder lacks xstate and where to install it (%s)',
    async (name) => {
      const dir = await mkdtemp(join(tmpdir(), 'stator-elsewhere-'));
      await writeFile(join(dir, 'package.json'), '{"type":"module"}\n');
      await mkdir(join(dir, 'src'));
      await writeFile(join(dir, 'src', name), machineSource);
      const { code, stderr } = await serve(join(dir, 'src', name));
      expect(code).toBe(2);
      expect(stderr).toContain('error [CONFIG_INVALID]');
      expect(stderr).toContain(`imports "xstate", which is not installed for ${join(dir, 'src')}`);
      expect(stderr).toContain(`Run \`npm install xstate\` in ${dir}.`);
    },
    30_000,
  );

  it('resolves xstate from the module folder', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stator-elsewhere-'));
    await mkdir(join(dir, 'node_modules'));
    const installed = dirname(createRequire(import.meta.url).resolve('xstate/package.json'));
    await symlink(installed, join(dir, 'node_modules', 'xstate'), 'dir');
    await writeFile(join(dir, 'machines.ts'), machineSource);
    const { code, stderr } = await serve(join(dir, 'machines.ts'));
    expect(stderr).toContain('stator: serving');
    expect(code).toBe(0);
  }, 30_000);
});
