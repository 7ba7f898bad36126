import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWrite, eventWrite, key } from '../contract/builders.js';
import type { Store } from '../types.js';
import { sqliteStore } from './sqlite-store.js';

const cart = key('cart', 'c-1');
const COUNT = 700;

/** Payload sizes that vary a lot, some of them in two-byte characters. */
const payloadOf = (seq: number) => {
  const n = (seq * 7919) % 97 === 0 ? 40_000 : (seq * 104_729) % 3_000;
  return { text: seq % 5 === 0 ? 'é'.repeat(n) : 'x'.repeat(n) };
};
const bytesOf = (seq: number) => Buffer.byteLength(JSON.stringify(payloadOf(seq)));

/** What a page holds, folded over the events one at a time. */
function expected(after: number, limit: number, maxBytes: number): number[] {
  const seqs: number[] = [];
  let bytes = 0;
  for (let seq = after + 1; seq <= COUNT && seqs.length < limit; seq++) {
    bytes += bytesOf(seq);
    if (bytes > maxBytes && seqs.length > 0) break;
    seqs.push(seq);
  }
  return seqs;
}

describe('sqlite event pages (read in chunks)', () => {
  let store: Store;
  beforeAll(async () => {
    store = sqliteStore({ path: ':memory:' });
    await store.open();
    await store.commit([createWrite(cart, { payload: payloadOf(1) })]);
    for (let seq = 2; seq <= COUNT; seq++) {
      await store.commit([eventWrite(cart, seq - 1, { payload: payloadOf(seq) })]);
    }
  });
  afterAll(() => store.close());

  const seqs = async (after: number, limit: number, maxBytes: number) =>
    (await store.readEvents(cart, { after, limit, maxBytes })).map((e) => e.seq);

  it('ends each page where its payloads would pass maxBytes, across chunk boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: COUNT }),
        fc.integer({ min: 0, max: 1000 }),
        fc.oneof(fc.integer({ min: 1, max: 5_000 }), fc.integer({ min: 1, max: 2_000_000 })),
        async (after, limit, maxBytes) => {
          expect(await seqs(after, limit, maxBytes)).toEqual(expected(after, limit, maxBytes));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads every event of a long history in pages, payloads intact', async () => {
    const read: number[] = [];
    for (;;) {
      const page = await store.readEvents(cart, { after: read.at(-1) ?? 0, limit: 1000 });
      if (page.length === 0) break;
      for (const event of page) expect(event.payload).toEqual(payloadOf(event.seq));
      read.push(...page.map((e) => e.seq));
    }
    expect(read).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));
  });
});
