import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { memoryStore } from '../../store/memory/memory-store.js';
import { sqliteStore } from '../../store/sqlite/sqlite-store.js';
import { describeOperator } from './test-support/operator.suite.js';

describeOperator('memory', async () => ({ store: memoryStore(), cleanup: () => {} }));

describeOperator('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stator-operator-'));
  return {
    store: sqliteStore({ path: join(dir, 'stator.db') }),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
});
