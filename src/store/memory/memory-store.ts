import { storeErrors } from '../store-errors.js';
import type { Store } from '../types.js';
import { memoryCommitLog } from './commit.js';
import { MemoryData, STORE } from './data.js';
import { memoryApiKeys, memoryEmitLog } from './emits-keys.js';
import { memoryInstanceReads } from './instance-reads.js';
import { memoryMachineVersions } from './machine-versions.js';
import { memoryOutboxQueue } from './outbox-queue.js';
import { memoryStats } from './stats.js';
import { memoryTimerQueue } from './timer-queue.js';

/**
 * An in-memory store for tests and examples. It keeps everything in Maps, copies
 * every value on the way in and out (so callers cannot change stored rows), and
 * honours the same commit semantics as the SQL adapters: per-write checks, failed
 * writes leave no trace, a batch that throws keeps nothing. Timer and outbox
 * leases work as in SQL (one owner per row until the lease runs out), so a
 * runtime's scheduler can be tested on it. Data lives as long as the store object.
 * One port per file, over shared `MemoryData`.
 *
 * @example
 * import { memoryStore } from 'stator/memory';
 *
 * const store = memoryStore();
 * await store.open();
 * const instance = await store.getInstance({ machine: 'order', id: 'o-1' }); // undefined
 */
export function memoryStore(): Store {
  const d = new MemoryData();
  return {
    kind: STORE,
    async open() {
      if (d.state === 'closed') throw storeErrors.closed(STORE);
      d.state = 'open';
    },
    async close() {
      d.state = 'closed';
      d.clear();
    },
    ...memoryCommitLog(d),
    ...memoryInstanceReads(d),
    ...memoryTimerQueue(d),
    ...memoryOutboxQueue(d),
    ...memoryEmitLog(d),
    ...memoryApiKeys(d),
    ...memoryMachineVersions(d),
    ...memoryStats(d),
  };
}
