import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryStore } from '../../store/memory/memory-store.js';
import { sqliteStore } from '../../store/sqlite/sqlite-store.js';
import type { Store } from '../../store/types.js';

/** A store for engine tests; `reopen` gives a fresh Store over the same data when the adapter persists. */
export interface TestStore {
  readonly store: Store;
  readonly reopen?: () => Store;
  readonly cleanup: () => void;
}

export const testStores: Record<string, () => TestStore> = {
  memory: () => ({ store: memoryStore(), cleanup: () => {} }),
  sqlite: () => {
    const dir = mkdtempSync(join(tmpdir(), 'stator-engine-'));
    const path = join(dir, 'stator.db');
    return {
      store: sqliteStore({ path }),
      reopen: () => sqliteStore({ path }),
      cleanup: () => rmSync(dir, { recursive: true, force: true }),
    };
  },
};

/** A clock the test moves by hand. */
export function manualClock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}
