import { afterEach, describe, expect, it } from 'vitest';
import { assign, createMachine, enqueueActions, fromCallback, fromPromise, setup } from 'xstate';
import { createTestEngine, type TestEngine } from '../../testing/test-engine.js';
import { testStores } from '../test-support/stores.js';

let t: TestEngine;
afterEach(() => t?.close());

interface Seen {
  what: string;
  key: string;
  context: unknown;
}

/** A machine written as XState's docs write them: inline functions everywhere. */
function docsStyle(seen: Seen[]) {
  const note =
    (what: string) =>
    ({ context, idempotencyKey }: { context: unknown; idempotencyKey?: string }) => {
      seen.push({ what, key: String(idempotencyKey), context });
    };
  return createMachine({
    id: 'docs',
    initial: 'idle',
    context: { n: 0 },
    states: {
      idle: {
        entry: note('entered idle'),
        on: {
          Go: {
            target: 'busy',
            actions: [assign({ n: ({ context }) => context.n + 1 }), note('went')],
          },
          Batch: {
            actions: enqueueActions(({ context, enqueue }) => {
              const at = context.n;
              enqueue(assign({ n: ({ context: c }) => c.n + 10 }));
              enqueue((args) => {
                const { idempotencyKey } = args as { idempotencyKey?: string };
                seen.push({
                  what: `enqueued with n=${at}`,
                  key: String(idempotencyKey),
                  context: at,
                });
              });
            }),
          },
        },
      },
      busy: {
        exit: ({ context }) => {
          seen.push({ what: 'left busy', key: '-', context });
        },
        on: { Back: 'idle' },
      },
    },
  });
}

describe('inline action functions', () => {
  it('run after commit, at least once, keyed by the effect, from their place in the chart', async () => {
    const seen: Seen[] = [];
    t = await createTestEngine({ machines: [docsStyle(seen)] });
    await t.engine.create('docs', 'd1');
    expect(seen).toEqual([]); // nothing before the dispatcher runs
    await t.settle();
    await t.engine.send('docs', 'd1', { type: 'Go' });
    await t.settle();
    await t.engine.send('docs', 'd1', { type: 'Back' });
    await t.settle();
    expect(seen).toEqual([
      { what: 'entered idle', key: 'docs/d1/1/0', context: { n: 0 } },
      { what: 'went', key: 'docs/d1/2/0', context: { n: 1 } },
      { what: 'left busy', key: '-', context: { n: 1 } },
      { what: 'entered idle', key: 'docs/d1/3/1', context: { n: 1 } },
    ]);
  });

  it('committed before a crash, run after the restart by the same definition', async () => {
    const s = testStores.sqlite!();
    const seen: Seen[] = [];
    t = await createTestEngine({ machines: [docsStyle(seen)], store: s.store });
    await t.engine.create('docs', 'd1');
    await t.engine.send('docs', 'd1', { type: 'Go' });
    await t.close(); // the outbox still holds both actions
    expect(seen).toEqual([]);
    // A new process loads the same module again: new function objects, same places.
    t = await createTestEngine({ machines: [docsStyle(seen)], store: s.reopen!(), cacheSize: 1 });
    await t.settle();
    expect(seen.map((x) => [x.what, x.key])).toEqual([
      ['entered idle', 'docs/d1/1/0'],
      ['went', 'docs/d1/2/0'],
    ]);
    s.cleanup();
  });

  it('given to enqueue inside enqueueActions, run once with what the step saw, also after a restart', async () => {
    const s = testStores.sqlite!();
    const seen: Seen[] = [];
    t = await createTestEngine({ machines: [docsStyle(seen)], store: s.store });
    await t.engine.create('docs', 'd1');
    await t.settle();
    await t.engine.send('docs', 'd1', { type: 'Batch' });
    await t.settle();
    await t.engine.send('docs', 'd1', { type: 'Batch' });
    await t.close();
    t = await createTestEngine({ machines: [docsStyle(seen)], store: s.reopen!(), cacheSize: 1 });
    await t.settle();
    expect(seen.slice(1).map((x) => [x.what, x.key])).toEqual([
      ['enqueued with n=0', 'docs/d1/2/0'],
      ['enqueued with n=10', 'docs/d1/3/0'],
    ]);
    expect((await t.engine.get('docs', 'd1')).context).toEqual({ n: 20 });
    s.cleanup();
  });
});

describe('an inline function named like a setup action', () => {
  it('runs itself, as XState would, not the named action', async () => {
    const ran: string[] = [];
    const m = setup({
      actions: {
        notify: () => {
          ran.push('named');
        },
      },
    }).createMachine({
      id: 'twins',
      on: {
        Named: { actions: 'notify' },
        Inline: {
          actions: function notify() {
            ran.push('inline');
          },
        },
      },
    });
    t = await createTestEngine({ machines: [m] });
    await t.engine.create('twins', 't1');
    await t.engine.send('twins', 't1', { type: 'Inline' });
    await t.engine.send('twins', 't1', { type: 'Named' });
    await t.settle();
    expect(ran.sort()).toEqual(['inline', 'named']);
  });
});

describe('inline actor logic', () => {
  it('an inline fromPromise in invoke.src runs as an activity, its result through onDone', async () => {
    const m = createMachine({
      id: 'fetcher',
      initial: 'loading',
      context: { user: null as unknown },
      states: {
        loading: {
          invoke: {
            src: fromPromise(async ({ input }: { input: { id: number } }) => ({
              name: `u${input.id}`,
            })),
            input: { id: 7 },
            onDone: { target: 'ready', actions: assign({ user: ({ event }) => event.output }) },
          },
        },
        ready: { type: 'final' },
      },
    });
    t = await createTestEngine({ machines: [m] });
    await t.engine.create('fetcher', 'f1');
    await t.settle();
    expect(await t.engine.get('fetcher', 'f1')).toMatchObject({
      value: 'ready',
      status: 'done',
      context: { user: { name: 'u7' } },
    });
  });

  it('an inline machine in invoke runs as a durable child; its completion reaches onDone', async () => {
    const child = createMachine({
      id: 'approval',
      initial: 'waiting',
      states: { waiting: { on: { Approve: 'approved' } }, approved: { type: 'final' } },
      output: { ok: true },
    });
    const parent = createMachine({
      id: 'request',
      initial: 'pending',
      states: {
        pending: { invoke: { id: 'approval', src: child, onDone: 'granted' } },
        granted: { type: 'final' },
      },
    });
    t = await createTestEngine({ machines: [parent] });
    await t.engine.create('request', 'r1');
    await t.settle();
    await t.engine.send('approval', 'request~r1~approval', { type: 'Approve' });
    await t.settle();
    expect(await t.engine.get('request', 'r1')).toMatchObject({ value: 'granted', status: 'done' });
  });

  it('an inline callback actor is refused with the durable rewrite', async () => {
    const m = createMachine({
      id: 'listener',
      initial: 'on',
      states: { on: { invoke: { src: fromCallback(() => () => {}) } } },
    });
    await expect(createTestEngine({ machines: [m] })).rejects.toThrow(
      /state "listener\.on": invoke #0 is an inline callback.*fromPromise activity.*sends them to the instance/s,
    );
  });

  it('an inline machine without an id is refused, saying why it needs one', async () => {
    const m = createMachine({
      id: 'outer',
      initial: 'a',
      states: { a: { invoke: { src: createMachine({}) } } },
    });
    await expect(createTestEngine({ machines: [m] })).rejects.toThrow(
      /invoke #0 is an inline machine without an id.*durable instance of its own machine/,
    );
  });
});
