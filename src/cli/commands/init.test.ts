import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { statorSpec } from '../init/stator-spec.js';
import { runCli } from '../program.js';
import { captureIo } from '../test-support/io.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'stator-init-'));

describe('stator init', () => {
  it('writes a project that depends on this Stator and on xstate', async () => {
    const cwd = await tempDir();
    const io = captureIo({ cwd });
    expect(await runCli(['init', 'my-app'], io)).toBe(0);
    const dir = join(cwd, 'my-app');
    expect((await readdir(join(dir, 'src'))).sort()).toEqual([
      'module.ts',
      'signup.test.ts',
      'signup.ts',
    ]);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({
      name: 'my-app',
      type: 'module',
      scripts: { start: 'exec stator serve src/module.ts', test: 'tsc --noEmit && vitest run' },
      dependencies: { stator: statorSpec(), xstate: expect.stringMatching(/^\^5\./) },
    });
    expect(await readFile(join(dir, 'src', 'signup.test.ts'), 'utf8')).toContain(
      "from 'stator/testing'",
    );
    expect(io.err()).toContain('next: cd my-app && npm install && npm start');
  });

  it('uses the --stator spec given', async () => {
    const dir = await tempDir();
    const io = captureIo({ cwd: dir });
    const spec = 'git+https://example.com/acme/stator.git#v0.1.0';
    expect(await runCli(['init', '.', '--stator', spec, '--name', 'orders'], io)).toBe(0);
    const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'orders', dependencies: { stator: spec } });
  });

  it('refuses a folder that is not empty, writing nothing, unless --force', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'notes.txt'), 'mine\n');
    const io = captureIo({ cwd: dir });
    expect(await runCli(['init', dir], io)).toBe(2);
    expect(io.err()).toContain(`error [USAGE]: ${dir} is not empty (notes.txt)`);
    expect(io.err()).toContain('--force');
    expect(await readdir(dir)).toEqual(['notes.txt']);

    expect(await runCli(['init', dir, '--force'], captureIo({ cwd: dir }))).toBe(0);
    expect(await readdir(dir)).toContain('package.json');
    expect(await readFile(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
  });
});

describe('statorSpec', () => {
  it('is this checkout as a file: folder when not installed in node_modules', () => {
    expect(statorSpec('/home/ada/stator/')).toBe('file:/home/ada/stator');
  });

  it('repeats how the installing project depends on Stator, a relative file: made absolute', async () => {
    const project = await tempDir();
    const root = join(project, 'node_modules', 'stator');
    await mkdir(root, { recursive: true });
    const write = (spec: string) =>
      writeFile(join(project, 'package.json'), JSON.stringify({ dependencies: { stator: spec } }));
    await write('git+https://example.com/acme/stator.git');
    expect(statorSpec(`${root}/`)).toBe('git+https://example.com/acme/stator.git');
    await write('file:vendor/stator-0.1.0.tgz');
    expect(statorSpec(`${root}/`)).toBe(`file:${join(project, 'vendor', 'stator-0.1.0.tgz')}`);
  });

  it('finds the project through a pnpm store folder', async () => {
    const project = await tempDir();
    const root = join(project, 'node_modules', '.pnpm', 'stator@0.1.0', 'node_modules', 'stator');
    await mkdir(root, { recursive: true });
    const spec = 'github:acme/stator#v0.1.0';
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ dependencies: { stator: spec } }),
    );
    expect(statorSpec(`${root}/`)).toBe(spec);
  });
});
