/**
 * The HTTP floor of `npm run bench:http`: a Hono app on `@hono/node-server`
 * (the stack `stator serve` runs on) that reads each JSON body and answers
 * what `stator serve` answers the lifecycle's requests (201 for a create, the
 * state value after Pay and Ship), with no engine behind it. What the bench
 * measures against it is what HTTP alone costs on this machine, client
 * included. Run as a child process: prints `listening <port>` on stdout.
 */
import { createServer } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { Hono } from 'hono';

const VALUE_AFTER: Record<string, unknown> = {
  Pay: { paid: 'awaitingPacking' },
  Ship: 'shipped',
};

const app = new Hono();
app.post('/v1/machines/:machine/instances', async (c) => {
  const body = await c.req.json<{ id?: string }>();
  return c.json({ id: body.id, value: 'pending', status: 'active', seq: 1 }, 201);
});
app.post('/v1/machines/:machine/instances/:id/events', async (c) => {
  const event = await c.req.json<{ type: string }>();
  return c.json({ id: c.req.param('id'), value: VALUE_AFTER[event.type] ?? null, seq: 2 });
});

const server = createServer(getRequestListener(app.fetch));
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`listening ${typeof address === 'object' && address ? address.port : 0}`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
