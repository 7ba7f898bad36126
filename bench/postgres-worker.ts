/**
 * One process of the multi-process part of `bench/postgres.ts`. argv: url,
 * schema, worker number, instances. Prints `ready` once its engine is open,
 * runs the order lifecycle for its own instances at concurrency 32 when it
 * reads `go`, prints `done`, and closes when stdin ends.
 */
import { createInterface } from 'node:readline';
import { orderMachine } from '../examples/order.js';
import { createEngine } from '../src/index.js';
import { postgresStore } from '../src/postgres.js';
import { pool } from './stats.js';

const [url, schema, worker, count] = process.argv.slice(2) as [string, string, string, string];
const engine = await createEngine({
  store: postgresStore({ url, schema, pool: { max: 10 } }),
  machines: [orderMachine],
});
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
process.stdout.write('ready\n');
await lines.next();
await pool(Number(count), 32, async (i) => {
  const id = `w${worker}-o${i}`;
  await engine.create('order', id, { input: { total: 40 } });
  await engine.send('order', id, { type: 'Pay' });
  await engine.send('order', id, { type: 'Ship', carrier: 'dhl' });
});
process.stdout.write('done\n');
await lines.next();
await engine.close();
