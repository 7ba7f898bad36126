import ELK from 'elkjs/lib/elk.bundled.js';
import { describe, expect, it } from 'vitest';
import { bigChart, orderChart } from './fixtures';
import { bestLayout, type ChartLayout, edgeText, fitScale, layoutChart, stateRows } from './layout';

const measure = (text: string) => text.length * 7.5;

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
const overlaps = (a: Box, b: Box) =>
  a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (inner: Box, outer: Box) =>
  inner.x >= outer.x &&
  inner.y >= outer.y &&
  inner.x + inner.width <= outer.x + outer.width + 0.5 &&
  inner.y + inner.height <= outer.y + outer.height + 0.5;

function checkReadable(layout: ChartLayout) {
  const byId = new Map(layout.states.map((b) => [b.state.id, b]));
  for (const box of layout.states) {
    // Children sit inside their parent, and siblings never overlap.
    const parentId = box.state.id.split('.').slice(0, -1).join('.');
    const parent = byId.get(parentId);
    if (parent) expect(inside(box, parent), `${box.state.id} inside ${parentId}`).toBe(true);
    for (const other of layout.states) {
      if (other === box || other.state.id.split('.').slice(0, -1).join('.') !== parentId) continue;
      expect(overlaps(box, other), `${box.state.id} vs ${other.state.id}`).toBe(false);
    }
  }
  // No label sits on a leaf state or on another label.
  const labels = layout.edges.flatMap((e) => (e.label ? [e.label] : []));
  const leaves = layout.states.filter((b) => b.state.children.length === 0);
  for (const label of labels) {
    for (const leaf of leaves) {
      expect(overlaps(label, leaf), `label "${label.text}" on ${leaf.state.id}`).toBe(false);
    }
    for (const other of labels) {
      if (other !== label)
        expect(overlaps(label, other), `"${label.text}" on "${other.text}"`).toBe(false);
    }
  }
}

describe('layoutChart', () => {
  it('lays out the order machine: nesting, initial dots, labelled edges', async () => {
    const layout = await layoutChart(orderChart, measure, new ELK());
    expect(layout.states.map((b) => b.state.id).sort()).toEqual([
      'order.cancelled',
      'order.delivered',
      'order.paid',
      'order.paid.awaitingPacking',
      'order.paid.packed',
      'order.pending',
      'order.shipped',
    ]);
    expect(layout.initials.map((d) => d.parent).sort()).toEqual(['order', 'order.paid']);
    const labels = layout.edges.flatMap((e) => (e.label ? [e.label.text] : []));
    expect(labels).toEqual(
      expect.arrayContaining(['Pay [paidInFull]', 'after 48h', 'Pack', 'Ship', 'Deliver']),
    );
    for (const edge of layout.edges) expect(edge.points.length).toBeGreaterThanOrEqual(2);
    expect(layout.states.find((b) => b.state.id === 'order.paid')?.rows).toEqual([
      'entry / notifyCustomer',
    ]);
    checkReadable(layout);
  });

  it.each(['RIGHT', 'DOWN'] as const)(
    'keeps a 42-state machine readable flowing %s: regions side by side across the flow',
    async (direction) => {
      const chart = bigChart();
      const started = performance.now();
      const layout = await layoutChart(chart, measure, new ELK(), direction);
      expect(performance.now() - started).toBeLessThan(5000);
      expect(layout.states.length).toBe(42);
      // Across the flow: one above the other when flowing right, one beside the other flowing down.
      const cross = direction === 'RIGHT' ? 'y' : 'x';
      const size = direction === 'RIGHT' ? 'height' : 'width';
      const regions = layout.states.filter((b) => b.region).sort((a, b) => a[cross] - b[cross]);
      // In whichever order crosses fewest edges, each region past the one before.
      expect(regions.map((r) => r.state.key).sort()).toEqual([
        'billing',
        'returns',
        'shipping',
        'stock',
      ]);
      for (let i = 1; i < regions.length; i++) {
        const prev = regions[i - 1];
        const cur = regions[i];
        if (prev && cur) expect(cur[cross]).toBeGreaterThanOrEqual(prev[cross] + prev[size]);
      }
      checkReadable(layout);
    },
  );

  it('picks the direction that shows the chart larger', async () => {
    const wide = { width: 1300, height: 700 };
    expect((await bestLayout(orderChart, measure, new ELK(), wide)).direction).toBe('RIGHT');
    const big = await bestLayout(bigChart(), measure, new ELK(), wide);
    const other = await layoutChart(
      bigChart(),
      measure,
      new ELK(),
      big.direction === 'RIGHT' ? 'DOWN' : 'RIGHT',
    );
    expect(fitScale(big, wide)).toBeGreaterThanOrEqual(fitScale(other, wide) / 1.1);
  });

  it('writes targetless transitions, invokes and actions inside their state', () => {
    const chart = bigChart();
    const support = chart.root.children.find((s) => s.key === 'support');
    const open = support?.children.find((s) => s.key === 'open');
    expect(support && stateRows(support, chart.transitions)).toEqual(['Note / appendNote']);
    expect(open && stateRows(open, chart.transitions)).toEqual(['invoke openTicket']);
    const reject = chart.transitions.find((t) => t.event === 'Reject');
    expect(reject && edgeText(reject)).toBe('Reject [isReviewer]');
  });
});
