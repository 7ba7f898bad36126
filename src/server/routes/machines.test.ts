import { describe, expect, it } from 'vitest';
import { harness } from '../test-support/harness.js';

describe('GET /v1/machines/{machine}', () => {
  it('carries the chart JSON beside the Mermaid graph', async () => {
    const { call } = await harness();
    const res = await call('GET', '/v1/machines/order');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      graph: string;
      chart: { machine: string; root: { initial: string }; transitions: { label: string }[] };
    };
    expect(body.graph).toContain('stateDiagram-v2');
    expect(body.chart.machine).toBe('order');
    expect(body.chart.root.initial).toBe('order.pending');
    expect(body.chart.transitions.map((t) => t.label)).toContain('after 48h');
  });
});
