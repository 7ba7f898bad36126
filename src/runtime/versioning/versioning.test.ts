import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryStore } from '../../store/memory/memory-store.js';
import { sqliteStore } from '../../store/sqlite/sqlite-store.js';
import { describeVersioning } from './test-support/versioning.suite.js';

describeVersioning('memory', async () => {
  const store = memoryStore();
  return {
    open: () => store,
    reader: async () => ({ store, close: async () => {} }),
    persistent: false,
    cleanup: () => {},
  };
});

describeVersioning('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stator-versions-'));
  const path = join(dir, 'stator.db');
  return {
    open: () => sqliteStore({ path }),
    reader: async () => {
      const store = sqliteStore({ path, exclusive: false });
      await store.open();
      return { store, close: () => store.close() };
    },
    persistent: true,
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});
