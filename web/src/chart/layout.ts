import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { Chart, ChartState, ChartTransition } from '../types';

/** Text width in pixels for the chart's fonts. */
export type Measure = (text: string, font: 'title' | 'label' | 'row') => number;

/** What the layout needs from ELK (the bundled build in the browser, the same in tests). */
export interface ElkLike {
  layout(graph: ElkNode): Promise<ElkNode>;
}

export interface Point {
  readonly x: number;
  readonly y: number;
}

export interface StateBox {
  readonly kind: 'state';
  readonly state: ChartState;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** Nesting depth: 1 for the root's children. */
  readonly depth: number;
  /** True for the children of a parallel state: drawn as dashed, labelled regions. */
  readonly region: boolean;
  /** Lines under the title: invokes, entry/exit actions, targetless transitions. */
  readonly rows: readonly string[];
}

export interface InitialDot {
  readonly kind: 'initial';
  /** The compound state whose initial child this marks. */
  readonly parent: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface EdgeLabel {
  readonly text: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Edge {
  readonly id: string;
  /** Undefined for the arrow from an initial dot. */
  readonly transition: ChartTransition | undefined;
  readonly source: string;
  readonly target: string;
  readonly points: readonly Point[];
  readonly label: EdgeLabel | undefined;
}

export type Direction = 'RIGHT' | 'DOWN';

export interface ChartLayout {
  /** Which way transitions flow; parallel regions sit across it, side by side. */
  readonly direction: Direction;
  readonly width: number;
  readonly height: number;
  readonly states: readonly StateBox[];
  readonly initials: readonly InitialDot[];
  readonly edges: readonly Edge[];
}

export const METRICS = {
  titleHeight: 22,
  rowHeight: 16,
  padX: 12,
  padY: 8,
  labelHeight: 16,
  labelPadX: 6,
  historySize: 28,
  initialSize: 12,
  minWidth: 72,
} as const;

const INITIAL = '::initial';

/** The text of a transition's label: `Pay [paidInFull]`, `after 48h`. */
export function edgeText(t: ChartTransition): string {
  return t.guard ? `${t.label} [${t.guard}]` : t.label;
}

/** Rows written inside a state: what runs there without a transition drawn. */
export function stateRows(state: ChartState, transitions: readonly ChartTransition[]): string[] {
  const rows: string[] = [];
  for (const inv of state.invokes) rows.push(`invoke ${inv.src}`);
  if (state.entry.length > 0) rows.push(`entry / ${state.entry.join(', ')}`);
  if (state.exit.length > 0) rows.push(`exit / ${state.exit.join(', ')}`);
  for (const t of transitions) {
    if (t.source !== state.id || t.targets.length > 0) continue;
    const acts = t.actions.length > 0 ? ` / ${t.actions.join(', ')}` : '';
    rows.push(`${edgeText(t)}${acts}`);
  }
  return rows;
}

/**
 * Lays a chart out with ELK's layered algorithm over the whole hierarchy
 * (so transitions may cross compound borders): compound states contain their
 * children, parallel regions (unconnected to each other) share a layer and
 * so sit side by side across the flow, every compound gets an initial dot,
 * and edge labels are sized so ELK keeps them apart. All coordinates in the
 * result are absolute.
 */
export async function layoutChart(
  chart: Chart,
  measure: Measure,
  elk: ElkLike,
  direction: Direction = 'RIGHT',
): Promise<ChartLayout> {
  const rowsOf = new Map<string, string[]>();
  const depthOf = new Map<string, number>();
  const regions = new Set<string>();
  const edgeInfo = new Map<string, { transition: ChartTransition | undefined; text?: string }>();

  const node = (state: ChartState, depth: number): ElkNode => {
    depthOf.set(state.id, depth);
    const rows = stateRows(state, chart.transitions);
    rowsOf.set(state.id, rows);
    if (state.type === 'history') {
      return { id: state.id, width: METRICS.historySize, height: METRICS.historySize };
    }
    const textWidth = Math.max(
      measure(state.key, 'title') + (state.type === 'final' ? 8 : 0),
      ...rows.map((r) => measure(r, 'row')),
    );
    const width = Math.max(METRICS.minWidth, Math.ceil(textWidth) + 2 * METRICS.padX);
    const header = METRICS.titleHeight + rows.length * METRICS.rowHeight;
    if (state.children.length === 0) {
      return { id: state.id, width, height: header + METRICS.padY * 2 };
    }
    if (state.type === 'parallel') for (const kid of state.children) regions.add(kid.id);
    return {
      id: state.id,
      layoutOptions: {
        'elk.padding': `[top=${header + METRICS.padY + 8},left=${METRICS.padX},bottom=${METRICS.padX},right=${METRICS.padX}]`,
        'elk.nodeSize.constraints': '[MINIMUM_SIZE]',
        'elk.nodeSize.minimum': `(${width}, ${header + 40})`,
      },
      children: containerChildren(state, depth),
    };
  };

  const containerChildren = (state: ChartState, depth: number): ElkNode[] => {
    const kids = state.children.map((kid) => node(kid, depth + 1));
    if (state.initial !== undefined) {
      kids.unshift({
        id: state.id + INITIAL,
        width: METRICS.initialSize,
        height: METRICS.initialSize,
        // The initial dot starts its container's flow.
        layoutOptions: { 'elk.layered.layering.layerConstraint': 'FIRST' },
      });
    }
    return kids;
  };

  const edges: ElkExtendedEdge[] = [];
  const children = containerChildren(chart.root, 0);
  for (const state of flatten(chart.root)) {
    if (state.initial !== undefined) {
      const id = `${state.id}${INITIAL}->`;
      edges.push({ id, sources: [state.id + INITIAL], targets: [state.initial] });
      edgeInfo.set(id, { transition: undefined });
    }
  }
  // Document order is reading order: a transition to a state written earlier
  // is handed to ELK reversed (and drawn back the right way), so the flow
  // follows the definition instead of whichever edge cycle breaking picks.
  const order = new Map(flatten(chart.root).map((st, i) => [st.id, i]));
  const reversed = new Set<string>();
  for (const t of chart.transitions) {
    for (const target of t.targets) {
      if (t.source === chart.root.id || target === chart.root.id) continue;
      const id = `${t.id}->${target}`;
      const text = edgeText(t);
      const back = (order.get(target) ?? 0) < (order.get(t.source) ?? 0);
      if (back) reversed.add(id);
      edges.push({
        id,
        sources: [back ? target : t.source],
        targets: [back ? t.source : target],
        labels: [
          {
            text,
            width: Math.ceil(measure(text, 'label')) + 2 * METRICS.labelPadX,
            height: METRICS.labelHeight,
          },
        ],
      });
      edgeInfo.set(id, { transition: t, text });
    }
  }

  const graph: ElkNode = {
    id: '::root',
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': direction,
      'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
      'elk.json.shapeCoords': 'ROOT',
      'elk.json.edgeCoords': 'ROOT',
      'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '36',
      'elk.spacing.nodeNode': '24',
      'elk.spacing.edgeNode': '14',
      'elk.spacing.edgeEdge': '10',
      'elk.spacing.edgeLabel': '4',
      'elk.layered.spacing.edgeNodeBetweenLayers': '14',
      'elk.edgeLabels.placement': 'CENTER',
      'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
      'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
    },
    children,
    edges,
  };
  const out = await elk.layout(graph);

  const states: StateBox[] = [];
  const initials: InitialDot[] = [];
  const byId = new Map(flatten(chart.root).map((s) => [s.id, s]));
  const visit = (n: ElkNode) => {
    for (const kid of n.children ?? []) {
      const box = { x: kid.x ?? 0, y: kid.y ?? 0, width: kid.width ?? 0, height: kid.height ?? 0 };
      if (kid.id.endsWith(INITIAL)) {
        initials.push({ kind: 'initial', parent: kid.id.slice(0, -INITIAL.length), ...box });
      } else {
        const state = byId.get(kid.id);
        if (state) {
          states.push({
            kind: 'state',
            state,
            ...box,
            depth: depthOf.get(state.id) ?? 1,
            region: regions.has(state.id),
            rows: rowsOf.get(state.id) ?? [],
          });
        }
      }
      visit(kid);
    }
  };
  visit(out);

  const laidEdges: Edge[] = [];
  const collect = (n: ElkNode) => {
    for (const e of n.edges ?? []) {
      const info = edgeInfo.get(e.id);
      if (!info) continue;
      const points: Point[] = [];
      for (const s of e.sections ?? []) {
        points.push(s.startPoint, ...(s.bendPoints ?? []), s.endPoint);
      }
      if (reversed.has(e.id)) points.reverse();
      const l = e.labels?.[0];
      laidEdges.push({
        id: e.id,
        transition: info.transition,
        source: (reversed.has(e.id) ? e.targets[0] : e.sources[0]) ?? '',
        target: (reversed.has(e.id) ? e.sources[0] : e.targets[0]) ?? '',
        points,
        label:
          l && info.text !== undefined
            ? {
                text: info.text,
                x: l.x ?? 0,
                y: l.y ?? 0,
                width: l.width ?? 0,
                height: l.height ?? 0,
              }
            : undefined,
      });
    }
    for (const kid of n.children ?? []) collect(kid);
  };
  collect(out);
  return {
    direction,
    width: out.width ?? 0,
    height: out.height ?? 0,
    states,
    initials,
    edges: laidEdges,
  };
}

/** The scale at which a layout fits a viewport (capped at 1.2). */
export function fitScale(
  layout: Pick<ChartLayout, 'width' | 'height'>,
  viewport: { width: number; height: number },
): number {
  return Math.min(1.2, viewport.width / layout.width, viewport.height / layout.height);
}

/**
 * Lays the chart out flowing right and flowing down, and keeps the one that
 * can be shown larger in the viewport: small machines read best left to
 * right on a wide screen, big parallel ones as columns.
 */
export async function bestLayout(
  chart: Chart,
  measure: Measure,
  elk: ElkLike,
  viewport: { width: number; height: number },
): Promise<ChartLayout> {
  const right = await layoutChart(chart, measure, elk, 'RIGHT');
  const down = await layoutChart(chart, measure, elk, 'DOWN');
  // RIGHT unless DOWN shows clearly larger.
  return fitScale(down, viewport) > fitScale(right, viewport) * 1.1 ? down : right;
}

function flatten(state: ChartState): ChartState[] {
  return [state, ...state.children.flatMap(flatten)];
}
