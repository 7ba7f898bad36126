/** `stator/memory`: the in-memory store, for tests and examples. */
export { memoryStore } from './store/memory/memory-store.js';
