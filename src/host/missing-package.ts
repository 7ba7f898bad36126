import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** A bare import (`xstate`, `@scope/pkg/sub`) that Node could not resolve, and from where. */
export interface MissingPackage {
  /** The package name (`xstate`, `@scope/pkg`). */
  readonly name: string;
  /** The file that imports it. */
  readonly importer: string;
  /** The folder Node resolves it from (the importer's). */
  readonly folder: string;
  /** Where `npm install` belongs: the nearest folder with a package.json, else `folder`. */
  readonly installIn: string;
}

/**
 * Reads Node's "Cannot find package 'x' imported from f" (ESM) or "Cannot
 * find module 'x' … Require stack: - f" (CommonJS, tsx) errors. Node resolves
 * a bare import from the importing file's folder upward, never from Stator's,
 * so a module kept outside a project with XState installed cannot load.
 */
export function missingPackage(error: unknown): MissingPackage | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') return undefined;
  const message = error instanceof Error ? error.message : String(error);
  const specifier = /Cannot find (?:package|module) '([^']+)'/.exec(message)?.[1];
  if (!specifier || specifier.startsWith('.') || isAbsolute(specifier)) return undefined;
  if (specifier.startsWith('file:') || specifier.startsWith('node:')) return undefined;
  const from =
    /imported from (\S+)/.exec(message)?.[1] ?? /Require stack:\n- (.+)/.exec(message)?.[1];
  if (!from) return undefined;
  const importer = toPath(from.trim());
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] as string);
  const folder = dirname(importer);
  return { name, importer, folder, installIn: nearestPackage(folder) ?? folder };
}

function toPath(from: string): string {
  const bare = from.replace(/\?.*$/, '');
  return bare.startsWith('file:') ? fileURLToPath(bare) : bare;
}

function nearestPackage(folder: string): string | undefined {
  for (let dir = folder; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}
