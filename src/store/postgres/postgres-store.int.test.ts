import { describeStoreContract } from '../contract/store-contract.js';
import { postgresStore } from './postgres-store.js';
import { dropSchema, pgUrl, testSchema } from './test-support/pg-server.js';

// Every test gets its own schema, dropped afterwards; `reopen` is a new store (and pool) over it.
describeStoreContract('postgres', async () => {
  const url = await pgUrl();
  const schema = testSchema();
  return {
    store: postgresStore({ url, schema, pool: { max: 4 } }),
    reopen: async () => postgresStore({ url, schema, pool: { max: 4 } }),
    cleanup: () => dropSchema(url, schema),
  };
});
