import { postgresStore } from '../../store/postgres/postgres-store.js';
import { dropSchema, pgUrl, testSchema } from '../../store/postgres/test-support/pg-server.js';
import { describeOperator } from './test-support/operator.suite.js';

describeOperator('PostgreSQL', async () => {
  const url = await pgUrl();
  const schema = testSchema();
  return {
    store: postgresStore({ url, schema, pool: { max: 4 } }),
    cleanup: () => dropSchema(url, schema),
  };
});
