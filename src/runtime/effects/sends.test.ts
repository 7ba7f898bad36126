import { afterEach, describe, expect, it } from 'vitest';
import { assign, createMachine, forwardTo, sendParent, sendTo, setup } from 'xstate';
import { type Restartable, restartable, restartableKinds } from '../test-support/restartable.js';

let r: Restartable | undefined;
let logged: string[] = [];
const log = (message: string) => {
  logged.push(message);
};
afterEach(async () => {
  await r?.close();
  r = undefined;
  logged = [];
});

interface Heard {
  heard: string[];
}
/** Appends to `context.heard` (typed loosely: shared by machines with different events). */
const heard = (label: string) =>
  assign({ heard: ({ context }: { context: Heard }) => [...context.heard, label] }) as never;

/** Sends to itself, immediate and delayed, as XState's docs write them. */
const selfSender = setup({
  types: { context: {} as { heard: string[] } },
}).createMachine({
  id: 'selfSender',
  context: { heard: [] },
  initial: 'on',
  states: {
    on: {
      entry: [
        sendTo(({ self }) => self, { type: 'One' }),
        sendTo(({ self }) => self, { type: 'Two' }),
        sendTo(({ self }) => self, { type: 'Later' }, { delay: 1000 }),
      ],
      on: {
        One: { actions: heard('one') },
        Two: { actions: [heard('two'), sendTo(({ self }) => self, { type: 'Three' })] },
        Three: { actions: heard('three') },
        Later: { target: 'done', actions: heard('later') },
      },
    },
    done: { type: 'final' },
  },
});

const kid = createMachine({
  id: 'kid',
  types: {
    events: {} as { type: 'Ping'; n: number } | { type: 'Relay'; text: string } | { type: 'Bye' },
  },
  initial: 'listening',
  states: {
    listening: {
      entry: sendParent({ type: 'Hello' }),
      on: {
        Ping: { actions: sendParent(({ event }) => ({ type: 'Pong', n: event.n })) },
        Relay: { actions: sendParent(({ event }) => ({ type: 'Relayed', text: event.text })) },
        Bye: 'gone',
      },
    },
    gone: { type: 'final' },
  },
});

/** A parent that hears its child's sendParent, sends to it by id and forwards to it. */
const family = setup({
  types: {
    context: {} as Heard,
    events: {} as
      | { type: 'Hello' }
      | { type: 'Pong'; n: number }
      | { type: 'Relay'; text: string }
      | { type: 'Relayed'; text: string }
      | { type: 'Leave' },
  },
  actors: { kid },
}).createMachine({
  id: 'family',
  context: { heard: [] },
  invoke: { id: 'k', src: 'kid', onDone: '.over' },
  initial: 'waiting',
  states: {
    waiting: {
      on: {
        Hello: {
          target: 'talking',
          actions: [
            heard('hello'),
            sendTo('k', { type: 'Ping', n: 1 }),
            sendTo('k', { type: 'Ping', n: 2 }),
            sendTo('k', { type: 'Ping', n: 3 }),
          ],
        },
      },
    },
    talking: {
      on: {
        Pong: { actions: heard(`pong`) },
        Relay: { actions: forwardTo('k') },
        Relayed: {
          actions: assign({ heard: ({ context, event }) => [...context.heard, event.text] }),
        },
        Leave: { actions: sendTo('k', { type: 'Bye' }) },
      },
    },
    over: { type: 'final' },
  },
});

describe.each(restartableKinds)('sends on %s', (kind) => {
  it('to self: each a new event of the instance after commit, in order; a delayed one is a durable timer', async () => {
    r = await restartable(kind, [selfSender], log);
    await r.t.engine.create('selfSender', 's1');
    await r.t.settle();
    expect(await r.t.engine.get('selfSender', 's1')).toMatchObject({
      value: 'on',
      context: { heard: ['one', 'two', 'three'] },
      seq: 4,
    });
    const history = await r.t.engine.history('selfSender', 's1');
    expect(history.events.map((e) => e.type)).toEqual(['xstate.init', 'One', 'Two', 'Three']);

    const t = await r.restart(); // the delayed send survives as a timer row
    await t.advanceBy(1000);
    expect(await t.engine.get('selfSender', 's1')).toMatchObject({
      value: 'done',
      status: 'done',
      context: { heard: ['one', 'two', 'three', 'later'] },
    });
    expect(logged.filter((l) => l.includes('dropped'))).toEqual([]);
    const replayed = await t.engine.replay('selfSender', 's1');
    expect(replayed.context).toEqual({ heard: ['one', 'two', 'three', 'later'] });
  });

  it('between parent and child: sendParent, sendTo by id and forwardTo, durably and in order', async () => {
    r = await restartable(kind, [family], log);
    await r.t.engine.create('family', 'f1');
    await r.t.settle();
    expect(await r.t.engine.get('family', 'f1')).toMatchObject({
      value: 'talking',
      context: { heard: ['hello', 'pong', 'pong', 'pong'] },
    });
    const child = await r.t.engine.history('kid', 'family~f1~k');
    expect(child.events.map((e) => [e.type, e.payload])).toEqual([
      ['xstate.init', { input: null }],
      ['Ping', { n: 1 }],
      ['Ping', { n: 2 }],
      ['Ping', { n: 3 }],
    ]);
    const pongs = (await r.t.engine.history('family', 'f1')).events.filter(
      (e) => e.type === 'Pong',
    );
    expect(pongs.map((e) => e.payload)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);

    const t = await r.restart();
    await t.engine.send('family', 'f1', { type: 'Relay', text: 'via parent' });
    await t.settle();
    expect((await t.engine.get('family', 'f1')).context).toEqual({
      heard: ['hello', 'pong', 'pong', 'pong', 'via parent'],
    });
    await t.engine.send('family', 'f1', { type: 'Leave' });
    await t.settle();
    expect(await t.engine.get('kid', 'family~f1~k')).toMatchObject({ status: 'done' });
    expect(await t.engine.get('family', 'f1')).toMatchObject({ value: 'over', status: 'done' });
    expect(logged.filter((l) => l.includes('dropped') || l.includes('dead-letter'))).toEqual([]);
  });
});
