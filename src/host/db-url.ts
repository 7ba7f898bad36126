import { StatorError } from '../core/errors.js';
import { memoryStore } from '../memory.js';
import { sqliteStore } from '../sqlite.js';
import type { Store } from '../store/types.js';

/** Default `--db`: the embedded SQLite file under `.stator/`. */
export const DEFAULT_DB = 'sqlite:./.stator/stator.db';

/** What `--db` named: the store, and a description safe to log (no password). */
export interface OpenedDb {
  readonly store: Store;
  readonly description: string;
}

/**
 * Opens the store a `--db` URL names: `sqlite:<path>` (embedded, the default),
 * `postgres://…` / `postgresql://…` (needs `stator/postgres`) or `memory:`
 * (nothing kept; for demos and tests). CONFIG_INVALID otherwise. A SQLite
 * file is held by the store alone unless `shared` (tools that work on a file
 * a server is using).
 *
 * @example
 * const { store } = await storeFromUrl('sqlite:./.stator/stator.db');
 */
export async function storeFromUrl(
  url: string,
  options: { readonly shared?: boolean } = {},
): Promise<OpenedDb> {
  if (url === 'memory:' || url === 'memory') return { store: memoryStore(), description: 'memory' };
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    if (!path) throw invalid(url, 'it names no file');
    // A SQLite file is served by one process; tools (keys, …) may look at it beside the server.
    const store = sqliteStore({ path, exclusive: options.shared !== true });
    return { store, description: `sqlite:${path}` };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { postgresStore } = await loadPostgres();
    return { store: postgresStore({ url }), description: redact(url) };
  }
  throw invalid(url, 'the scheme is not known');
}

interface PostgresModule {
  postgresStore(options: { url: string; schema?: string }): Store;
}

async function loadPostgres(): Promise<PostgresModule> {
  const specifier = '../postgres.js'; // not resolved at build time: the file may not exist
  try {
    return (await import(specifier)) as PostgresModule;
  } catch (error) {
    const missing =
      (error as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' &&
      String((error as Error).message).includes('postgres');
    throw new StatorError(
      'CONFIG_INVALID',
      missing
        ? 'PostgreSQL support is not installed in this build. Use --db sqlite:<file>, or a Stator build that includes stator/postgres.'
        : `PostgreSQL support could not be loaded: ${(error as Error).message}`,
      {},
      { cause: error },
    );
  }
}

function invalid(url: string, why: string): StatorError {
  return new StatorError(
    'CONFIG_INVALID',
    `--db ${JSON.stringify(redact(url))} is not usable: ${why}. Use sqlite:./.stator/stator.db, postgres://user:pass@host/db or memory:.`,
    { db: redact(url) },
  );
}

function redact(url: string): string {
  return url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}
