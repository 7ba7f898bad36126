import type { AnyStateMachine } from 'xstate';
import { memoryStore } from '../../store/memory/memory-store.js';
import type { Store } from '../../store/types.js';
import { createTestEngine, type TestEngine } from '../../testing/test-engine.js';
import { testStores } from './stores.js';

/**
 * A test engine that can be restarted over the same data: SQLite reopens its
 * file; the memory store is kept open across engines (an engine closes its store),
 * so the new engine starts with empty caches and mailboxes, as after a crash.
 */
export interface Restartable {
  readonly t: TestEngine;
  /** Closes the engine and starts a new one over the same data, at the same simulated time. */
  restart(): Promise<TestEngine>;
  close(): Promise<void>;
}

export const restartableKinds = ['memory', 'sqlite'] as const;

export async function restartable(
  kind: (typeof restartableKinds)[number],
  machines: readonly AnyStateMachine[],
  log?: (message: string, error?: unknown) => void,
): Promise<Restartable> {
  let next: () => Store;
  let cleanup = () => {};
  if (kind === 'memory') {
    const data = memoryStore();
    next = () => ({ ...data, close: async () => {} });
  } else {
    const s = testStores.sqlite?.();
    if (!s?.reopen) throw new Error('the sqlite test store reopens');
    let first: Store | undefined = s.store;
    const reopen = s.reopen;
    next = () => {
      const store = first ?? reopen();
      first = undefined;
      return store;
    };
    cleanup = s.cleanup;
  }
  const open = (start?: number) =>
    createTestEngine({
      machines: [...machines],
      store: next(),
      ...(start !== undefined && { start }),
      ...(log && { log }),
    });
  let t = await open();
  return {
    get t() {
      return t;
    },
    async restart() {
      const now = t.clock.now();
      await t.close();
      t = await open(now);
      return t;
    },
    async close() {
      await t.close();
      cleanup();
    },
  };
}
