import { cp, mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

type XState = typeof import('xstate');

let copy: Promise<XState> | undefined;

/**
 * A second, separate instance of XState: the installed package copied into a
 * temporary `node_modules` and imported from there, as in a user's project
 * where `npm install <stator>` and `npm install xstate` leave two copies.
 * Its classes (`StateMachine`, …) are not the ones Stator imports.
 */
export function secondXState(): Promise<XState> {
  copy ??= load();
  return copy;
}

async function load(): Promise<XState> {
  const source = dirname(createRequire(import.meta.url).resolve('xstate/package.json'));
  const dir = await mkdtemp(join(tmpdir(), 'stator-xstate-copy-'));
  const target = join(dir, 'node_modules', 'xstate');
  await cp(source, target, { recursive: true });
  return (await import(pathToFileURL(join(target, 'dist', 'xstate.cjs.mjs')).href)) as XState;
}
