import { describe, expect, it } from 'vitest';
import { operatorHarness } from '../../server/test-support/operator-harness.js';
import { runCli } from '../program.js';
import { captureIo } from '../test-support/io.js';
import { humanDuration } from './stuck.js';

type Harness = Awaited<ReturnType<typeof operatorHarness>>;

async function cli(argv: string[], h: Harness) {
  const io = captureIo({ app: h.app });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

const HOUR = 3_600_000;

/** o-old waits 26 h for payment, o-paid sits 26 h in paid, o-new is 10 minutes old. */
async function orders() {
  const h = await operatorHarness();
  const { engine, clock } = h.t;
  const start = clock.now();
  await engine.create('order', 'o-paid', { input: { total: 5 } });
  await engine.send('order', 'o-paid', { type: 'Pay' });
  clock.set(start + 60_000);
  await engine.create('order', 'o-old', { input: { total: 5 } });
  clock.set(start + 26 * HOUR);
  await engine.create('order', 'o-new', { input: { total: 5 } });
  clock.set(start + 26 * HOUR + 10 * 60_000);
  return h;
}

describe('stator stuck', () => {
  it('lists instances in their state longer than --older-than, oldest first, by state', async () => {
    const h = await orders();
    const all = JSON.parse((await cli(['stuck', 'order', '--older-than', '1d', '--json'], h)).out);
    expect(all.instances.map((s: { id: string }) => s.id)).toEqual(['o-paid', 'o-old']);
    expect(all.more).toBe(false);
    const pending = await cli(['stuck', 'order', '--state', 'pending', '--older-than', '1d'], h);
    expect(pending.out).toMatch(/^ID\s+STATE\s+STATUS\s+IN STATE FOR\s+SINCE\n/);
    expect(pending.out).toMatch(/o-old\s+pending\s+active\s+/);
    expect(pending.out).not.toContain('o-paid');
    const recent = JSON.parse(
      (await cli(['stuck', 'order', '--older-than', '5m', '--json'], h)).out,
    );
    expect(recent.instances).toHaveLength(3);
    const none = await cli(['stuck', 'order', '--older-than', '2d'], h);
    expect(none.out).toBe('no active order instances for longer than 2d\n');
  });

  it('stops at --max and says there are more', async () => {
    const h = await orders();
    const r = await cli(['stuck', 'order', '--older-than', '1m', '--max', '2'], h);
    expect(r.out).toContain('(more than 2: raise --max');
    expect(r.out.match(/^o-/gm)).toHaveLength(2);
  });

  it('refuses a bad duration or status with a usage error', async () => {
    const h = await orders();
    expect((await cli(['stuck', 'order', '--older-than', 'soon'], h)).code).toBe(2);
    expect((await cli(['stuck', 'order', '--status', 'sleeping'], h)).code).toBe(2);
    expect((await cli(['stuck', 'nope'], h)).code).toBe(3);
  });

  it('formats durations to their two largest units', () => {
    expect(humanDuration(26 * HOUR + 10 * 60_000)).toBe('1d 2h');
    expect(humanDuration(10 * 60_000 + 5000)).toBe('10m 5s');
    expect(humanDuration(400)).toBe('0s');
  });
});
