import { afterEach, describe, expect, it } from 'vitest';
import {
  type ActorRefFrom,
  assign,
  createMachine,
  sendParent,
  sendTo,
  setup,
  stopChild,
} from 'xstate';
import { type Restartable, restartable, restartableKinds } from '../test-support/restartable.js';

let r: Restartable | undefined;
afterEach(async () => {
  await r?.close();
  r = undefined;
});

const worker = createMachine({
  id: 'worker',
  types: {
    input: {} as { name: string } | undefined,
    context: {} as { name: string; pings: number },
  },
  context: ({ input }) => ({ name: input?.name ?? 'anonymous', pings: 0 }),
  initial: 'idle',
  states: {
    idle: {
      on: {
        Ping: {
          actions: [
            assign({ pings: ({ context }) => context.pings + 1 }),
            sendParent(({ context }) => ({ type: 'Pong', from: context.name })),
          ],
        },
      },
    },
  },
});

/** Children spawned in `assign`, kept in context, stopped and spawned again under the same id. */
const crew = setup({
  types: {
    context: {} as { lead: ActorRefFrom<typeof worker> | null; pongs: string[] },
    events: {} as { type: 'Poke' } | { type: 'Pong'; from: string } | { type: 'Replace' },
  },
  actors: { worker },
}).createMachine({
  id: 'crew',
  context: { lead: null, pongs: [] },
  entry: assign({ lead: ({ spawn }) => spawn('worker', { id: 'lead', input: { name: 'ada' } }) }),
  on: {
    Poke: { actions: sendTo(({ context }) => context.lead as never, { type: 'Ping' } as never) },
    Pong: { actions: assign({ pongs: ({ context, event }) => [...context.pongs, event.from] }) },
    Replace: {
      actions: [
        stopChild('lead'),
        assign({ lead: ({ spawn }) => spawn('worker', { id: 'lead', input: { name: 'bob' } }) }),
      ],
    },
  },
});

/** An invoked child with a systemId, reached through `system.get`. */
const registry = setup({ actors: { worker } }).createMachine({
  id: 'registry',
  invoke: { id: 'w', src: 'worker', systemId: 'pinger', input: { name: 'sys' } },
  context: { pongs: 0 },
  on: {
    Poke: { actions: sendTo(({ system }) => system.get('pinger'), { type: 'Ping' }) },
    Pong: { actions: assign({ pongs: ({ context }) => context.pongs + 1 }) },
  },
});

describe.each(restartableKinds)('child actors on %s', (kind) => {
  it('spawn() in assign creates a durable child; the ref in context still reaches it after a restart', async () => {
    r = await restartable(kind, [crew]);
    const created = await r.t.engine.create('crew', 'c1');
    expect(created.context).toEqual({ lead: { xstate$$type: 1, id: 'lead' }, pongs: [] });
    await r.t.settle();
    expect(await r.t.engine.get('worker', 'crew~c1~lead')).toMatchObject({
      status: 'active',
      context: { name: 'ada', pings: 0 },
    });

    const t = await r.restart();
    await t.engine.send('crew', 'c1', { type: 'Poke' });
    await t.settle();
    expect((await t.engine.get('worker', 'crew~c1~lead')).context).toEqual({
      name: 'ada',
      pings: 1,
    });
    expect((await t.engine.get('crew', 'c1')).context).toEqual({
      lead: { xstate$$type: 1, id: 'lead' },
      pongs: ['ada'],
    });
    expect((await t.engine.replay('crew', 'c1')).context).toEqual({
      lead: { xstate$$type: 1, id: 'lead' },
      pongs: ['ada'],
    });
  });

  it('a child id spawned again after stopChild is a new instance; replay and restart agree', async () => {
    r = await restartable(kind, [crew]);
    await r.t.engine.create('crew', 'c2');
    await r.t.settle();
    await r.t.engine.send('crew', 'c2', { type: 'Replace' });
    await r.t.settle();
    expect(await r.t.engine.get('worker', 'crew~c2~lead')).toMatchObject({ status: 'stopped' });
    expect(await r.t.engine.get('worker', 'crew~c2~lead@2')).toMatchObject({
      status: 'active',
      context: { name: 'bob', pings: 0 },
    });

    // Restored from a snapshot, the instance still knows which spawn of "lead" it holds.
    await r.t.engine.snapshot('crew', 'c2');
    const t = await r.restart();
    await t.engine.send('crew', 'c2', { type: 'Poke' });
    await t.settle();
    expect((await t.engine.get('worker', 'crew~c2~lead@2')).context).toEqual({
      name: 'bob',
      pings: 1,
    });
    expect((await t.engine.get('crew', 'c2')).context).toMatchObject({ pongs: ['bob'] });

    // Once more: the third spawn of "lead" is a third instance, also after a restart.
    await t.engine.send('crew', 'c2', { type: 'Replace' });
    await t.settle();
    expect(await t.engine.get('worker', 'crew~c2~lead@2')).toMatchObject({ status: 'stopped' });
    expect(await t.engine.get('worker', 'crew~c2~lead@3')).toMatchObject({
      status: 'active',
      context: { name: 'bob', pings: 0 },
    });
    expect((await t.engine.replay('crew', 'c2')).context).toEqual(
      (await t.engine.get('crew', 'c2')).context,
    );
  });

  it('an invoke with a systemId starts, and system.get(systemId) reaches the durable child', async () => {
    r = await restartable(kind, [registry]);
    await r.t.engine.create('registry', 'r1');
    await r.t.engine.create('registry', 'r2'); // the same systemId in another instance
    await r.t.settle();
    await r.t.engine.send('registry', 'r1', { type: 'Poke' });
    await r.t.settle();
    expect((await r.t.engine.get('worker', 'registry~r1~w')).context).toEqual({
      name: 'sys',
      pings: 1,
    });

    const t = await r.restart();
    await t.engine.send('registry', 'r1', { type: 'Poke' });
    await t.engine.send('registry', 'r2', { type: 'Poke' });
    await t.settle();
    expect((await t.engine.get('worker', 'registry~r1~w')).context).toMatchObject({ pings: 2 });
    expect((await t.engine.get('worker', 'registry~r2~w')).context).toMatchObject({ pings: 1 });
    expect((await t.engine.get('registry', 'r1')).context).toEqual({ pongs: 2 });
  });
});
