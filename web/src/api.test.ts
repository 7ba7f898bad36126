import { describe, expect, it } from 'vitest';
import { type StateStats, sseMessages, statePaths, tally } from './api';
import type { InstanceState, InstanceStatus } from './types';

function stream(chunks: string[]): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(enc.encode(c));
      controller.close();
    },
  });
}

describe('sseMessages', () => {
  it('parses the watch stream: comments skipped, messages split across chunks joined', async () => {
    const body = stream([
      ': watching order/o-1\nretry: 2000\n\n',
      'event: transition\nid: 2\ndata: {"a"',
      ':1}\n\n: ping\n\nevent: transition\r\nid: 3\r\ndata: x\r\ndata: y\r\n\r\n',
    ]);
    const out = [];
    for await (const m of sseMessages(body)) out.push(m);
    expect(out).toEqual([
      { event: 'transition', id: '2', data: '{"a":1}' },
      { event: 'transition', id: '3', data: 'x\ny' },
    ]);
  });
});

describe('counts per state', () => {
  it('counts leaves and their ancestors, and keeps the oldest active instance', () => {
    expect(statePaths({ paid: 'packed' })).toEqual(['paid', 'paid.packed']);
    const at = (
      id: string,
      value: InstanceState['value'],
      status: InstanceStatus,
      enteredAt: number,
    ) => ({ id, value, status, stateEnteredAt: enteredAt }) as InstanceState;
    const stats = new Map<string, StateStats>();
    const byStatus = { active: 0, done: 0, error: 0, stopped: 0 };
    tally(
      [
        at('a', { paid: 'packed' }, 'active', 300),
        at('b', { paid: 'awaitingPacking' }, 'active', 100),
        at('c', 'delivered', 'done', 50),
        at('d', { paid: 'packed' }, 'active', 200),
      ],
      stats,
      byStatus,
    );
    expect(byStatus).toEqual({ active: 3, done: 1, error: 0, stopped: 0 });
    expect(stats.get('paid')).toEqual({ count: 3, oldest: { id: 'b', stateEnteredAt: 100 } });
    expect(stats.get('paid.packed')).toEqual({
      count: 2,
      oldest: { id: 'd', stateEnteredAt: 200 },
    });
    expect(stats.get('delivered')).toEqual({ count: 1 });
  });
});
