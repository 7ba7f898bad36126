import type { KeyboardEvent } from 'react';
import type { ChartState } from '../types';
import { type Edge, METRICS, type Point, type StateBox } from './layout';

/** The SVG pieces of a chart: states, count badges, transitions and their labels. */

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

export function heatLevel(count: number, max: number): number {
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

export function StateShape(props: {
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

export function EdgeLine({ edge, hot }: { edge: Edge; hot: boolean }) {
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

export function EdgeText({ edge, hot }: { edge: Edge; hot: boolean }) {
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
