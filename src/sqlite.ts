/** `stator/sqlite`: the embedded SQLite store. */
export type { SqliteStoreOptions } from './store/sqlite/sqlite-store.js';
export { sqliteStore } from './store/sqlite/sqlite-store.js';
