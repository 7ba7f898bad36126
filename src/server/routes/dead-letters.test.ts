import { describe, expect, it } from 'vitest';
import { problemOf } from '../test-support/harness.js';
import { operatorHarness } from '../test-support/operator-harness.js';

const EFFECT = `/v1/dead-letters/effects/${encodeURIComponent('mailer/m1/2/0')}`;

/** A mailer whose action failed its only attempt: one dead effect. */
async function withDeadLetter(auth = false) {
  const h = await operatorHarness({ auth });
  const actor = { id: 'setup', roles: ['customer'] };
  await h.t.engine.create('mailer', 'm1', { actor });
  await h.t.engine.send('mailer', 'm1', { type: 'Mail' }, { actor });
  await h.t.engine.create('order', 'o1', { input: { total: 1 }, actor });
  await h.t.settle();
  return h;
}

describe('/v1/dead-letters', () => {
  it('lists dead letters with their error and path, filtered by machine and kind', async () => {
    const h = await withDeadLetter();
    const res = await h.call('GET', '/v1/dead-letters');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      deadLetters: [
        expect.objectContaining({
          kind: 'effect',
          machine: 'mailer',
          id: 'm1',
          ref: EFFECT,
          attempts: 1,
          lastError: expect.stringContaining('mail server down'),
          effect: expect.objectContaining({ effectId: 'mailer/m1/2/0', status: 'dead' }),
        }),
      ],
      truncated: false,
    });
    const none = await (await h.call('GET', '/v1/dead-letters?machine=order')).json();
    expect(none).toEqual({ deadLetters: [], truncated: false });
    const timers = (await (await h.call('GET', '/v1/dead-letters?kind=timer')).json()) as {
      deadLetters: unknown[];
    };
    expect(timers.deadLetters).toEqual([]);
    const bad = await h.call('GET', '/v1/dead-letters?kind=letter');
    expect(await problemOf(bad)).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('shows one dead letter, retries it (back in line, due now) and then it is gone', async () => {
    const h = await withDeadLetter();
    expect(await (await h.call('GET', EFFECT)).json()).toMatchObject({ ref: EFFECT, attempts: 1 });
    const retried = await h.call('POST', `${EFFECT}/retry`);
    expect(await retried.json()).toEqual({ ref: EFFECT, retried: true });
    expect(await problemOf(await h.call('GET', EFFECT))).toMatchObject({
      status: 404,
      code: 'DEAD_LETTER_NOT_FOUND',
    });
    expect((await h.t.engine.pending('mailer', 'm1')).effects).toEqual([
      expect.objectContaining({ effectId: 'mailer/m1/2/0', status: 'pending', attempts: 0 }),
    ]);
  });

  it('discards a dead letter with an audit row naming who did it', async () => {
    const h = await withDeadLetter(true);
    const res = await h.call('POST', `${EFFECT}/discard`, undefined, ['ops']);
    expect(await res.json()).toEqual({ ref: EFFECT, discarded: true });
    const { entries } = await h.t.engine.audit('mailer', 'm1');
    expect(entries.at(-1)).toMatchObject({
      eventType: 'stator.dead-letter.discarded',
      actor: { id: 'who-ops' },
    });
    const again = await h.call('POST', `${EFFECT}/discard`, undefined, ['ops']);
    expect(await problemOf(again)).toMatchObject({ status: 404, code: 'DEAD_LETTER_NOT_FOUND' });
  });

  it('reads under the read rule and acts under the operate rule', async () => {
    const h = await withDeadLetter(true);
    const list = async (roles: string[]) =>
      (await (await h.call('GET', '/v1/dead-letters', undefined, roles)).json()) as {
        deadLetters: unknown[];
      };
    expect((await list(['viewer'])).deadLetters).toHaveLength(1);
    expect((await list(['warehouse'])).deadLetters).toHaveLength(0);
    const hidden = await h.call('GET', EFFECT, undefined, ['warehouse']);
    expect(await problemOf(hidden)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    for (const action of ['retry', 'discard']) {
      const denied = await h.call('POST', `${EFFECT}/${action}`, undefined, ['viewer']);
      expect(await problemOf(denied), action).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    }
    expect((await h.call('GET', EFFECT, undefined, ['viewer'])).status).toBe(200);
  });

  it('addresses dead timers by machine, instance and timer id', async () => {
    const h = await operatorHarness();
    await h.t.engine.create('order', 'o1', { input: { total: 1 } });
    const [timer] = (await h.t.engine.pending('order', 'o1')).timers;
    if (!timer) throw new Error('expected a timer');
    await h.t.store.deadLetterTimer(timer, timer.timerId, {
      attempts: 3,
      lastError: 'boom',
      at: 0,
    });
    const path = `/v1/dead-letters/timers/order/o1/${encodeURIComponent(timer.timerId)}`;
    const { deadLetters } = (await (await h.call('GET', '/v1/dead-letters?kind=timer')).json()) as {
      deadLetters: unknown[];
    };
    expect(deadLetters).toEqual([expect.objectContaining({ kind: 'timer', ref: path })]);
    expect((await h.call('POST', `${path}/discard`)).status).toBe(200);
    expect((await h.t.engine.pending('order', 'o1')).timers).toEqual([]);
    expect(await problemOf(await h.call('GET', path))).toMatchObject({ status: 404 });
  });
});
