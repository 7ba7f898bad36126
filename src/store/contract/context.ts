import type { Store } from '../types.js';

/** What an adapter's test file hands to `describeStoreContract`. */
export interface StoreHarness {
  /** A fresh, empty store, not yet opened. */
  readonly store: Store;
  /** A new store over the same data (only adapters that persist). */
  readonly reopen?: () => Promise<Store>;
  readonly cleanup?: () => Promise<void>;
}

/** The open store of the running test; suites read it inside their tests. */
export interface ContractContext {
  store: Store;
}
