import { memo, useEffect, useMemo, useRef, useState } from 'react';
import type { Chart, ChartState } from '../types';
import { EdgeLine, EdgeText, heatLevel, StateShape } from './shapes';
import { useChartLayout } from './use-layout';
import './chart.css';

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
