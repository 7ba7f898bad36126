import { useEffect, useState } from 'react';
import type { Chart } from '../types';
import { bestLayout, type ChartLayout, type ElkLike } from './layout';

const layouts = new WeakMap<Chart, Promise<ChartLayout>>();
let canvas: CanvasRenderingContext2D | null | undefined;

const FONTS = {
  title: '600 13px ui-sans-serif, system-ui, sans-serif',
  label: '12px ui-sans-serif, system-ui, sans-serif',
  row: '11px ui-monospace, SFMono-Regular, Menlo, monospace',
} as const;

function measure(text: string, font: keyof typeof FONTS): number {
  canvas ??= document.createElement('canvas').getContext('2d');
  if (!canvas) return text.length * 7.5;
  canvas.font = FONTS[font];
  return canvas.measureText(text).width;
}

let elk: Promise<ElkLike> | undefined;

/**
 * ELK in a Web Worker (its script is a same-origin asset, so the CSP's
 * `worker-src 'self'` allows it): a 40-state layout takes a few hundred
 * milliseconds, which would otherwise freeze the page. Falls back to running
 * it on the page where workers are unavailable.
 */
function elkInstance(): Promise<ElkLike> {
  elk ??= (async () => {
    try {
      const [{ default: ELK }, { default: workerUrl }] = await Promise.all([
        import('elkjs/lib/elk-api.js'),
        import('elkjs/lib/elk-worker.min.js?url'),
      ]);
      return new ELK({ workerUrl });
    } catch {
      const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
      return new ELK();
    }
  })();
  return elk;
}

/** Lays a chart out once per chart object. */
function layoutOnce(chart: Chart): Promise<ChartLayout> {
  let hit = layouts.get(chart);
  if (!hit) {
    hit = elkInstance().then((instance) =>
      bestLayout(chart, measure, instance, {
        width: Math.max(600, window.innerWidth - 96),
        height: Math.max(400, window.innerHeight * 0.7),
      }),
    );
    layouts.set(chart, hit);
  }
  return hit;
}

/** The chart's layout, computed once per chart object (off the page, in a worker). */
export function useChartLayout(chart: Chart): { layout?: ChartLayout; error?: string } {
  const [state, setState] = useState<{ layout?: ChartLayout; error?: string }>({});
  useEffect(() => {
    let live = true;
    layoutOnce(chart).then(
      (layout) => live && setState({ layout }),
      (error: unknown) =>
        live && setState({ error: error instanceof Error ? error.message : String(error) }),
    );
    return () => {
      live = false;
    };
  }, [chart]);
  return state;
}
