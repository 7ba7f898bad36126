/**
 * `npm start` until the HTTP server lands (issue: server, CLI and security):
 * opens the embedded SQLite store at .stator/stator.db with the example
 * machines, walks one order through its lifecycle durably, and prints its
 * state, history and audit log. Run it twice: the first order is still there.
 */
import { orderMachine } from '../examples/order.js';
import { createEngine } from '../src/index.js';
import { sqliteStore } from '../src/sqlite.js';

const engine = await createEngine({
  store: sqliteStore({ path: '.stator/stator.db' }),
  machines: [orderMachine],
});
const id = `order-${Date.now()}`;
await engine.create('order', id, { input: { total: 40 }, actor: { id: 'demo' } });
await engine.send(
  'order',
  id,
  { type: 'Pay' },
  { idempotencyKey: `${id}-pay`, actor: { id: 'demo' } },
);
await engine.send('order', id, { type: 'Ship', carrier: 'dhl' }, { actor: { id: 'demo' } });
const state = await engine.get('order', id);
const { events } = await engine.history('order', id);
const { entries } = await engine.audit('order', id);
console.log(`Stator: ${id} is ${JSON.stringify(state.value)} at seq ${state.seq}`);
console.log(JSON.stringify({ state, events, audit: entries }, null, 2));
console.log(
  '\nThe HTTP server, CLI and inspector UI arrive with the server issue; this demo stands in for `npm start` until then.',
);
await engine.close();
