import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This Stator package's folder (the repository checkout, or node_modules/stator). */
export const statorRoot = (): string => fileURLToPath(new URL('../../../', import.meta.url));

export interface StatorPackage {
  readonly version: string;
  readonly peerDependencies?: Readonly<Record<string, string>>;
  readonly devDependencies?: Readonly<Record<string, string>>;
}

export function readStatorPackage(root = statorRoot()): StatorPackage {
  return JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as StatorPackage;
}

/**
 * How a new project should depend on Stator (it is not on a registry): the
 * spec the project that installed this copy used (a git URL, a tarball; a
 * relative `file:` made absolute), or else `file:` this checkout's folder.
 */
export function statorSpec(root = statorRoot()): string {
  // Innermost project first: npm's nested node_modules, pnpm's .pnpm store.
  const marker = `${sep}node_modules${sep}`;
  for (let at = root.lastIndexOf(marker); at >= 0; at = root.lastIndexOf(marker, at - 1)) {
    const spec = dependencySpec(root.slice(0, at));
    if (spec) return spec;
    if (at === 0) break;
  }
  return `file:${root.replace(/[\\/]$/, '')}`;
}

function dependencySpec(project: string): string | undefined {
  const file = join(project, 'package.json');
  if (!existsSync(file)) return undefined;
  const pkg = JSON.parse(readFileSync(file, 'utf8')) as {
    dependencies?: Record<string, string>;
    devDependencies?: Record<string, string>;
  };
  const spec = pkg.dependencies?.stator ?? pkg.devDependencies?.stator;
  if (!spec) return undefined;
  if (!spec.startsWith('file:')) return spec;
  const path = spec.slice('file:'.length);
  return isAbsolute(path) ? spec : `file:${resolve(project, path)}`;
}

/** For a `file:` folder spec: whether that checkout is built (`npm run build` makes dist/). */
export function unbuiltCheckout(spec: string): string | undefined {
  if (!spec.startsWith('file:')) return undefined;
  const path = spec.slice('file:'.length);
  if (path.endsWith('.tgz') || path.endsWith('.tar.gz')) return undefined;
  return existsSync(join(path, 'dist', 'index.js')) ? undefined : path;
}
