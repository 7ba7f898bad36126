import { describe, expect, it } from 'vitest';
import { operatorHarness } from '../../server/test-support/operator-harness.js';
import { runCli } from '../program.js';
import { captureIo } from '../test-support/io.js';

type Harness = Awaited<ReturnType<typeof operatorHarness>>;

async function cli(argv: string[], h: Harness) {
  const io = captureIo({ app: h.app });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('stator audit, pending, stop, retry-effect', () => {
  it('prints the audit log, rejections included', async () => {
    const h = await operatorHarness();
    await h.t.engine.create('order', 'o1', { input: { total: 10 } });
    await h.t.engine.send('order', 'o1', { type: 'Ship' }).catch(() => {});
    const r = await cli(['audit', 'order', 'o1'], h);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/1\s+\S+\s+xstate\.init\s+applied/);
    expect(r.out).toMatch(
      /2\s+\S+\s+Ship\s+rejected_invalid\s+-\s+pending\s+-\s+EVENT_NOT_ACCEPTED/,
    );
    const json = JSON.parse(
      (await cli(['audit', 'order', 'o1', '--json', '--all', '--limit', '1'], h)).out,
    );
    expect(json.entries).toHaveLength(2);
    expect((await cli(['audit', 'order', 'nope'], h)).code).toBe(3);
  });

  it('shows what an instance waits for, and retries its waiting activity now', async () => {
    const h = await operatorHarness();
    await h.t.engine.create('payment', 'p1');
    await h.t.settle();
    const pending = await cli(['pending', 'payment', 'p1'], h);
    expect(pending.out).toContain('payment/p1 charging (active)');
    expect(pending.out).toMatch(/xstate\.after\.\S+\s+\S+\s+xstate\.after/);
    expect(pending.out).toMatch(/payment\/p1\/1\/0\s+activity\.start charge\s+pending\s+1/);
    const retried = await cli(['retry-effect', 'payment', 'p1', 'payment/p1/1/0'], h);
    expect(retried).toMatchObject({
      code: 0,
      out: expect.stringContaining('retrying payment/p1/1/0'),
    });
    await h.t.settle();
    expect((await cli(['pending', 'payment', 'p1'], h)).out).toContain('no unfinished effects');
    const again = await cli(['retry-effect', 'payment', 'p1', 'payment/p1/1/0'], h);
    expect(again.code).toBe(3);
    expect(again.err).toContain('EFFECT_NOT_FOUND');
  });

  it('stops an instance, and says so when it was stopped already', async () => {
    const h = await operatorHarness();
    await h.t.engine.create('order', 'o1', { input: { total: 10 } });
    const stopped = await cli(
      ['stop', 'order', 'o1', '--reason', 'fraud', '--idempotency-key', 'k'],
      h,
    );
    expect(stopped).toMatchObject({ code: 0, out: expect.stringContaining('stopped order/o1') });
    const repeat = await cli(
      ['stop', 'order', 'o1', '--idempotency-key', 'k', '--reason', 'fraud'],
      h,
    );
    expect(repeat.out).toContain('already stopped');
    const done = await cli(['stop', 'order', 'o1'], h);
    expect(done.code).toBe(4);
  });
});

describe('stator dead-letters', () => {
  it('lists, shows, retries and discards dead letters by the reference ls prints', async () => {
    const h = await operatorHarness();
    await h.t.engine.create('mailer', 'm1');
    await h.t.engine.send('mailer', 'm1', { type: 'Mail' });
    await h.t.engine.create('order', 'o1', { input: { total: 1 } });
    const [timer] = (await h.t.engine.pending('order', 'o1')).timers;
    if (!timer) throw new Error('expected a timer');
    await h.t.store.deadLetterTimer(timer, timer.timerId, {
      attempts: 2,
      lastError: 'gone',
      at: 0,
    });
    await h.t.settle();
    const ls = await cli(['dead-letters', 'ls'], h);
    expect(ls.code).toBe(0);
    expect(ls.out).toMatch(
      /mailer\/m1\/2\/0\s+action notify\s+mailer\/m1\s+1\s+.*mail server down/,
    );
    const timerRef = `timer/order/o1/${timer.timerId}`;
    expect(ls.out).toContain(timerRef);
    expect((await cli(['dead-letters', 'ls', '--machine', 'order'], h)).out).not.toContain(
      'mailer',
    );
    const show = await cli(['dead-letters', 'show', 'mailer/m1/2/0'], h);
    expect(show.out).toContain('attempts: 1');
    expect(show.out).toContain('"type": "notify"');
    expect((await cli(['dead-letters', 'show', timerRef], h)).out).toContain('last error: gone');
    expect((await cli(['dead-letters', 'retry', 'mailer/m1/2/0'], h)).out).toBe(
      'retried mailer/m1/2/0\n',
    );
    expect((await cli(['dead-letters', 'discard', timerRef], h)).out).toBe(
      `discarded ${timerRef}\n`,
    );
    expect((await cli(['dead-letters', 'ls'], h)).out).toBe('no dead letters\n');
    const gone = await cli(['dead-letters', 'show', 'mailer/m1/2/0'], h);
    expect(gone.code).toBe(3);
    expect((await cli(['dead-letters', 'show', 'timer/order'], h)).code).toBe(2);
  });
});

describe('stator emits', () => {
  it('reads a page, follows the stream from a subscriber’s cursor, and acknowledges', async () => {
    const h = await operatorHarness();
    for (const id of ['o1', 'o2']) {
      await h.t.engine.create('order', id, { input: { total: 5 } });
      await h.t.engine.send('order', id, { type: 'Pay' });
    }
    const page = await cli(['emits', '--limit', '1'], h);
    expect(page.out).toBe(
      '#1 order.paid from order/o1 (seq 2) {"type":"order.paid","total":5}\nmore: --after 1\n',
    );
    expect((await cli(['emits', 'ack', 'billing', '1'], h)).out).toBe('billing at 1\n');
    const followed = await cli(
      ['emits', '--follow', '--subscriber', 'billing', '--limit', '1', '--json'],
      h,
    );
    expect(JSON.parse(followed.out)).toMatchObject({ position: 2, id: 'o2' });
    expect((await cli(['emits', '--ack'], h)).code).toBe(2);
    expect((await cli(['emits', '--follow', '--ack'], h)).code).toBe(2);
  });

  it('with --ack, moves the cursor past the emits it printed, and no further', async () => {
    const h = await operatorHarness();
    for (const id of ['o1', 'o2', 'o3']) {
      await h.t.engine.create('order', id, { input: { total: 5 } });
      await h.t.engine.send('order', id, { type: 'Pay' });
    }
    const args = ['emits', '--follow', '--subscriber', 'ship', '--ack', '--limit', '2', '--json'];
    const first = await cli(args, h);
    expect(
      first.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).position),
    ).toEqual([1, 2]);
    expect(await h.t.engine.emitCursor('ship')).toBe(2);
    const next = await cli(
      ['emits', '--follow', '--subscriber', 'ship', '--limit', '1', '--json'],
      h,
    );
    expect(JSON.parse(next.out)).toMatchObject({ position: 3 });
  });
});
