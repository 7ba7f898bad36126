import { postgresStore } from '../../store/postgres/postgres-store.js';
import { dropSchema, pgUrl, testSchema } from '../../store/postgres/test-support/pg-server.js';
import { describeVersioning } from './test-support/versioning.suite.js';

describeVersioning('PostgreSQL', async () => {
  const url = await pgUrl();
  const schema = testSchema();
  return {
    open: () => postgresStore({ url, schema, pool: { max: 4 } }),
    reader: async () => {
      const store = postgresStore({ url, schema, pool: { max: 2 } });
      await store.open();
      return { store, close: () => store.close() };
    },
    persistent: true,
    cleanup: () => dropSchema(url, schema),
  };
});
