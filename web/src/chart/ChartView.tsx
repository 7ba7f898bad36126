import { type KeyboardEvent, memo, useEffect, useMemo, useRef, useState } from 'react';
import type { Chart, ChartState } from '../types';
import {
  bestLayout,
  type ChartLayout,
  type Edge,
  type ElkLike,
  METRICS,
  type Point,
  type StateBox,
} from './layout';

export interface ChartViewProps {
  readonly chart: Chart;
  /** Accessible name of the drawing. */
  readonly label: string;
  /** Ids of the active states (an instance's configuration). */
  readonly active?: ReadonlySet<string>;
  /** Instances per state id, for the heat overlay. */
  readonly heat?: ReadonlyMap<string, number>;
  /** Ids of transitions to emphasize (the last one taken). */
  readonly taken?: ReadonlySet<string>;
  readonly selected?: string | undefined;
  /** Makes states focusable buttons. */
  readonly onSelect?: (state: ChartState) => void;
  /** A thumbnail: no zoom tools, scaled down to fit (the overview). */
  readonly compact?: boolean;
}

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

/** Path through orthogonal points with rounded corners. */
function edgePath(points: readonly Point[], radius = 6): string {
  const [first, ...rest] = points;
  if (!first) return '';
  let d = `M${first.x},${first.y}`;
  for (let i = 0; i < rest.length; i++) {
    const p = rest[i] as Point;
    const prev = (i === 0 ? first : rest[i - 1]) as Point;
    const next = rest[i + 1];
    if (!next) {
      d += ` L${p.x},${p.y}`;
      break;
    }
    const r = Math.min(radius, dist(prev, p) / 2, dist(p, next) / 2);
    const a = toward(p, prev, r);
    const b = toward(p, next, r);
    d += ` L${a.x},${a.y} Q${p.x},${p.y} ${b.x},${b.y}`;
  }
  return d;
}

const dist = (a: Point, b: Point) => Math.hypot(a.x - b.x, a.y - b.y);
function toward(from: Point, to: Point, r: number): Point {
  const d = dist(from, to) || 1;
  return { x: from.x + ((to.x - from.x) * r) / d, y: from.y + ((to.y - from.y) * r) / d };
}

function heatLevel(count: number, max: number): number {
  if (count <= 0 || max <= 0) return 0;
  return Math.min(0.6, 0.15 + (0.45 * Math.log1p(count)) / Math.log1p(max));
}

function stateDescription(box: StateBox, active: boolean, count: number | undefined): string {
  const s = box.state;
  const kind =
    s.type === 'history'
      ? `${s.history} history`
      : s.type === 'atomic'
        ? 'state'
        : `${s.type} state`;
  const parts = [`${s.path.join('.') || s.key} (${kind})`];
  if (active) parts.push('active');
  if (count !== undefined) parts.push(`${count} instance${count === 1 ? '' : 's'}`);
  return parts.join(', ');
}

/**
 * The statechart as SVG: compound states nested, parallel regions as dashed
 * side-by-side boxes, history states as H / H* circles, final states
 * double-bordered, initial dots, labelled transitions. Zoomable; fits the
 * width by default.
 */
export const ChartView = memo(function ChartView(props: ChartViewProps) {
  const { layout, error } = useChartLayout(props.chart);
  const frame = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [zoom, setZoom] = useState<number | 'fit'>('fit');
  useEffect(() => {
    const el = frame.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setWidth(el.clientWidth));
    observer.observe(el);
    setWidth(el.clientWidth);
    return () => observer.disconnect();
  }, []);

  // Only leaves are tinted (a compound's count is its children's sum; it shows as a badge).
  const maxHeat = useMemo(() => {
    const leaves = layout?.states.filter((b) => b.state.children.length === 0) ?? [];
    return Math.max(0, ...leaves.map((b) => props.heat?.get(b.state.id) ?? 0));
  }, [props.heat, layout]);
  if (error) return <p className="problem">The chart could not be laid out: {error}</p>;

  // Fit the width, but not below 60 % (smaller text is unreadable: scroll
  // instead); a thumbnail fits width and 240 px of height, whatever it takes.
  const fit =
    !layout || width <= 0
      ? 1
      : props.compact
        ? Math.min(1, (width - 2) / layout.width, 240 / layout.height)
        : Math.max(0.6, Math.min(1.2, (width - 2) / layout.width));
  const scale = zoom === 'fit' ? fit : zoom;
  const setScale = (next: number) =>
    setZoom(Math.max(0.3, Math.min(2.5, Math.round(next * 100) / 100)));

  return (
    <div className={props.compact ? 'chart compact' : 'chart'}>
      {!props.compact && (
        <div className="chart-tools" role="toolbar" aria-label="Chart zoom">
          <button type="button" onClick={() => setScale(scale / 1.2)} aria-label="Zoom out">
            −
          </button>
          <button type="button" onClick={() => setZoom('fit')} aria-pressed={zoom === 'fit'}>
            Fit
          </button>
          <button type="button" onClick={() => setZoom(1)} aria-pressed={zoom === 1}>
            100%
          </button>
          <button type="button" onClick={() => setScale(scale * 1.2)} aria-label="Zoom in">
            +
          </button>
          {props.heat && (
            <span className="legend" aria-hidden="true">
              <span className="swatch heat-low" /> fewer <span className="swatch heat-high" /> more
              instances
            </span>
          )}
        </div>
      )}
      <div className="chart-frame" ref={frame}>
        {!layout ? (
          <p className="muted chart-loading">Laying out the chart…</p>
        ) : (
          <svg
            className="chart-svg"
            aria-label={props.label}
            viewBox={`0 0 ${layout.width} ${layout.height}`}
            width={Math.ceil(layout.width * scale)}
            height={Math.ceil(layout.height * scale)}
          >
            <defs>
              <marker
                id="arrow"
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                markerWidth="7"
                markerHeight="7"
                orient="auto-start-reverse"
              >
                <path d="M0,0 L10,5 L0,10 z" className="arrow-head" />
              </marker>
              <marker
                id="arrow-hot"
                viewBox="0 0 10 10"
                refX="9"
                refY="5"
                markerWidth="7"
                markerHeight="7"
                orient="auto-start-reverse"
              >
                <path d="M0,0 L10,5 L0,10 z" className="arrow-head hot" />
              </marker>
            </defs>
            {layout.states.map((box) => (
              <StateShape
                key={box.state.id}
                box={box}
                active={props.active?.has(box.state.id) ?? false}
                selected={props.selected === box.state.id}
                count={props.heat ? (props.heat.get(box.state.id) ?? 0) : undefined}
                level={
                  props.heat && box.state.children.length === 0
                    ? heatLevel(props.heat.get(box.state.id) ?? 0, maxHeat)
                    : 0
                }
                {...(props.onSelect && { onSelect: props.onSelect })}
              />
            ))}
            {layout.initials.map((dot) => (
              <circle
                key={dot.parent}
                className="initial-dot"
                cx={dot.x + dot.width / 2}
                cy={dot.y + dot.height / 2}
                r={dot.width / 2 - 1}
              >
                <title>initial state of {dot.parent}</title>
              </circle>
            ))}
            {layout.edges.map((edge) => (
              <EdgeLine
                key={edge.id}
                edge={edge}
                hot={edge.transition ? (props.taken?.has(edge.transition.id) ?? false) : false}
              />
            ))}
            {layout.edges.map((edge) =>
              edge.label ? (
                <EdgeText
                  key={edge.id}
                  edge={edge}
                  hot={edge.transition ? (props.taken?.has(edge.transition.id) ?? false) : false}
                />
              ) : null,
            )}
          </svg>
        )}
      </div>
    </div>
  );
});

function StateShape(props: {
  box: StateBox;
  active: boolean;
  selected: boolean;
  count: number | undefined;
  level: number;
  onSelect?: (state: ChartState) => void;
}) {
  const { box, active, count, level } = props;
  const s = box.state;
  const compound = s.children.length > 0;
  const classes = [
    'state',
    `state-${s.type}`,
    compound && 'compound',
    box.region && 'region',
    active && 'active',
    props.selected && 'selected',
    count !== undefined && count > 0 && 'has-heat',
  ]
    .filter(Boolean)
    .join(' ');
  const interactive = props.onSelect !== undefined;
  const select = () => props.onSelect?.(s);
  const onKey = (e: KeyboardEvent) => {
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      select();
    }
  };
  const a11y = interactive
    ? {
        role: 'button',
        tabIndex: 0,
        onClick: select,
        onKeyDown: onKey,
        'aria-pressed': props.selected,
      }
    : { role: 'img' };

  if (s.type === 'history') {
    const r = box.width / 2;
    return (
      <g
        className={classes}
        data-state={s.id}
        data-active={active || undefined}
        aria-label={stateDescription(box, active, count)}
        {...a11y}
      >
        <circle cx={box.x + r} cy={box.y + r} r={r - 1} className="shape" />
        <text x={box.x + r} y={box.y + r + 4} textAnchor="middle" className="history-mark">
          {s.history === 'deep' ? 'H*' : 'H'}
        </text>
      </g>
    );
  }
  return (
    <g
      className={classes}
      data-state={s.id}
      data-active={active || undefined}
      aria-label={stateDescription(box, active, count)}
      {...a11y}
    >
      <rect
        x={box.x}
        y={box.y}
        width={box.width}
        height={box.height}
        rx={box.region ? 4 : 8}
        className="shape"
      />
      {level > 0 && (
        <rect
          x={box.x}
          y={box.y}
          width={box.width}
          height={box.height}
          rx={8}
          className="heat"
          fillOpacity={level}
        />
      )}
      {s.type === 'final' && (
        <rect
          x={box.x + 3}
          y={box.y + 3}
          width={box.width - 6}
          height={box.height - 6}
          rx={6}
          className="final-inner"
        />
      )}
      <text
        x={box.x + METRICS.padX}
        y={box.y + METRICS.padY + 12}
        className={box.region ? 'region-title' : 'title'}
      >
        {s.key}
      </text>
      {box.rows.map((row, i) => (
        <text
          key={row}
          x={box.x + METRICS.padX}
          y={box.y + METRICS.padY + 12 + (i + 1) * METRICS.rowHeight}
          className="row"
        >
          {row}
        </text>
      ))}
      {count !== undefined && count > 0 && (
        <CountBadge x={box.x + box.width} y={box.y} count={count} />
      )}
      <title>{stateDescription(box, active, count)}</title>
    </g>
  );
}

function CountBadge({ x, y, count }: { x: number; y: number; count: number }) {
  const text = count > 9999 ? `${Math.round(count / 1000)}k` : String(count);
  const w = 10 + text.length * 7;
  return (
    <g className="badge">
      <rect x={x - w / 2 - 4} y={y - 9} width={w} height={18} rx={9} />
      <text x={x - 4} y={y + 4} textAnchor="middle">
        {text}
      </text>
    </g>
  );
}

function EdgeLine({ edge, hot }: { edge: Edge; hot: boolean }) {
  const t = edge.transition;
  const kind = t ? `edge-${t.kind.replace('.', '-')}` : 'edge-initial';
  return (
    <path
      d={edgePath(edge.points)}
      className={`edge ${kind}${hot ? ' hot' : ''}`}
      markerEnd={hot ? 'url(#arrow-hot)' : 'url(#arrow)'}
      data-transition={t?.id}
    />
  );
}

function EdgeText({ edge, hot }: { edge: Edge; hot: boolean }) {
  const l = edge.label;
  const t = edge.transition;
  if (!l || !t) return null;
  const title = [
    `${t.label}${t.guard ? ` [${t.guard}]` : ''}`,
    t.delay?.name && `delay ${t.delay.name}`,
    t.actions.length > 0 && `actions: ${t.actions.join(', ')}`,
    t.reenter && 'reenters',
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    <g className={`edge-label edge-label-${t.kind.replace('.', '-')}${hot ? ' hot' : ''}`}>
      <rect x={l.x} y={l.y} width={l.width} height={l.height} rx={4} />
      <text x={l.x + METRICS.labelPadX} y={l.y + l.height - 4}>
        <tspan className="event">{t.label}</tspan>
        {t.guard && <tspan className="guard"> [{t.guard}]</tspan>}
      </text>
      <title>{title}</title>
    </g>
  );
}
