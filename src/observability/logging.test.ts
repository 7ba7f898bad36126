import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestEngine, type TestEngine } from '../testing/test-engine.js';
import { LOG_EVENTS, transitionLog } from './logging.js';
import { shopMachine } from './test-support/shop-machine.js';

let t: TestEngine;
afterEach(() => t?.close());

/** A real pino logger writing JSON lines into an array. */
function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, logger: pino({ level }, stream) };
}

describe('transition log', () => {
  it('writes one structured line per transition and per rejection', async () => {
    const { lines, logger } = capture();
    t = await createTestEngine({ machines: [shopMachine] });
    t.engine.inspect(transitionLog({ logger }), LOG_EVENTS);
    await t.engine.create('shop', 's1', { actor: { id: 'alice' } });
    await t.advanceBy('90s');
    await t.engine.send(
      'shop',
      's1',
      { type: 'Pay' },
      {
        actor: { id: 'bob' },
        traceContext: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
      },
    );
    await expect(t.engine.send('shop', 's1', { type: 'Ship' })).rejects.toThrow();
    await new Promise((r) => setImmediate(r));
    expect(lines.map((l) => [l.msg, l.event, l.outcome])).toEqual([
      ['transition', 'xstate.init', 'applied'],
      ['transition', 'Pay', 'applied'],
      ['transition', 'Ship', 'rejected_invalid'],
    ]);
    expect(lines[1]).toMatchObject({
      level: 30,
      machine: 'shop',
      id: 's1',
      seq: 2,
      from: 'pending',
      to: 'charging',
      actor: 'bob',
      timeInStateMs: 90_000,
      traceId: '0af7651916cd43dd8448eb211c80319c',
    });
    expect(lines[2]).toMatchObject({ level: 40, from: 'charging', reason: 'EVENT_NOT_ACCEPTED' });
  });

  it('logs applied transitions at the configured level and samples whole instances', async () => {
    const { lines, logger } = capture('info');
    t = await createTestEngine({ machines: [shopMachine] });
    t.engine.inspect(transitionLog({ logger, level: 'debug' }), LOG_EVENTS);
    await t.engine.create('shop', 'quiet');
    expect(lines).toEqual([]); // debug lines under an info logger

    const sampled = capture();
    t.engine.inspect(transitionLog({ logger: sampled.logger, sample: 0.5 }), LOG_EVENTS);
    for (let i = 0; i < 200; i++) await t.engine.create('shop', `s${i}`);
    await new Promise((r) => setImmediate(r));
    const logged = sampled.lines.length;
    expect(logged).toBeGreaterThan(60);
    expect(logged).toBeLessThan(140);
    // The same instances every time: an instance's story is whole or absent.
    const ids = new Set(sampled.lines.map((l) => l.id));
    await t.advanceBy('1h');
    await new Promise((r) => setImmediate(r));
    const expired = sampled.lines.slice(logged).map((l) => l.id);
    expect(expired.length).toBe(ids.size);
    expect(expired.every((id) => ids.has(id))).toBe(true);
  });

  it('refuses a sample outside 0..1', () => {
    expect(() => transitionLog({ logger: capture().logger, sample: 2 })).toThrow(/from 0 to 1/);
  });
});
