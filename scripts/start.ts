/**
 * `npm start`: `stator serve examples/module.ts` for trying Stator out.
 *
 * - builds the inspector (web/dist) first when it has not been built;
 * - seeds demo instances (examples/seed.ts) over HTTP when the database is
 *   empty, unless `--no-demo` is given;
 * - passes every other argument to `stator serve` (`npm start -- --port 9000`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isEmpty, seedDemo } from '../examples/seed.js';
import { processIo } from '../src/cli/io.js';
import { runCli } from '../src/cli/program.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string };
const args = process.argv.slice(2);
const demo = !args.includes('--no-demo');
const serveArgs = args.filter((a) => a !== '--no-demo');

if (!existsSync(`${root}web/dist/index.html`)) {
  process.stderr.write('stator: building the inspector (web/dist) first; this happens once\n');
  const { build } = await import('vite');
  await build({ root: `${root}web`, logLevel: 'warn' });
}

const io = processIo();
let seeded = false;
const code = await runCli(
  ['serve', 'examples/module.ts', ...serveArgs],
  {
    ...io,
    stderr: (text) => {
      io.stderr(text);
      const url = /^stator: serving \S+ on (\S+)/.exec(text)?.[1];
      if (url && demo && !seeded) {
        seeded = true;
        void seed(url);
      }
    },
  },
  version,
);
process.exitCode = code;
setTimeout(() => process.exit(code), 1000).unref();

async function seed(url: string): Promise<void> {
  const token = process.env.STATOR_TOKEN;
  const options = token ? { token } : {};
  try {
    if (!(await isEmpty(url, options))) return;
    const n = await seedDemo(url, options);
    process.stderr.write(
      `stator: seeded ${n} demo instances (start with --no-demo to skip); open ${url}/\n`,
    );
  } catch (error) {
    process.stderr.write(
      `stator: demo instances not seeded: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
}
