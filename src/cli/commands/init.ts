import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { CliError } from '../exit-codes.js';
import { readStatorPackage, statorSpec, unbuiltCheckout } from '../init/stator-spec.js';
import { projectFiles } from '../init/templates.js';
import type { CliIo } from '../io.js';

interface InitFlags {
  force?: boolean;
  stator?: string;
  name?: string;
}

/** `init [dir]`: a new project that serves and tests one durable machine. */
export function initCommand(program: Command, io: CliIo): void {
  program
    .command('init')
    .description('write a new project: package.json, tsconfig, a machine module and its test')
    .argument('[dir]', 'folder for the project (created if missing)', '.')
    .option('--force', 'write into a folder that is not empty (same-named files are replaced)')
    .option(
      '--stator <spec>',
      'how package.json depends on Stator: a git URL, a .tgz or a folder (default: the copy running this command)',
    )
    .option('--name <name>', 'package name (default: the folder name)')
    .action(async (dir: string, flags: InitFlags) => {
      const target = resolve(io.cwd, dir);
      await refuseNonEmpty(target, flags.force === true);
      const own = readStatorPackage();
      const stator = flags.stator ?? statorSpec();
      const ranges = {
        xstate: own.peerDependencies?.xstate ?? '^5',
        typescript: own.devDependencies?.typescript ?? '^5',
        vitest: own.devDependencies?.vitest ?? '^4',
        '@types/node': own.devDependencies?.['@types/node'] ?? '^20',
      };
      const name = flags.name ?? packageName(basename(target));
      const files = projectFiles({ name, stator, ranges });
      for (const [path, content] of Object.entries(files)) {
        await mkdir(dirname(join(target, path)), { recursive: true });
        await writeFile(join(target, path), content);
      }
      io.stderr(`stator: wrote ${Object.keys(files).join(', ')} in ${target}\n`);
      io.stderr(`stator: package.json depends on "stator": "${stator}"\n`);
      const unbuilt = unbuiltCheckout(stator);
      if (unbuilt) {
        io.stderr(`stator: ${unbuilt} has no dist/ yet: run \`npm run build\` there first\n`);
      }
      const cd = dir === '.' ? '' : `cd ${dir} && `;
      io.stderr(`stator: next: ${cd}npm install && npm start (and npm test)\n`);
    });
}

async function refuseNonEmpty(target: string, force: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(target);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return;
    if (code === 'ENOTDIR') {
      throw new CliError(
        'USAGE',
        `${target} is a file, not a folder. Give a folder for the project.`,
      );
    }
    throw error;
  }
  if (entries.length === 0 || force) return;
  const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? ', …' : '');
  throw new CliError(
    'USAGE',
    `${target} is not empty (${shown}). Give a new or empty folder (stator init my-app), or add --force to write the project files into it (files with the same names are replaced).`,
    { dir: target, entries: entries.slice(0, 20) },
  );
}

/** An npm package name from a folder name: lower case, safe characters only. */
function packageName(folder: string): string {
  const name = folder
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/^[._-]+|[-]+$/g, '');
  return name || 'stator-app';
}
