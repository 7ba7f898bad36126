import type { Chart, ChartState, ChartTransition } from '../types';

/** Small chart builders for tests: states and transitions as the server's `chart` JSON has them. */
export function state(
  id: string,
  type: ChartState['type'],
  children: ChartState[] = [],
  extra: Partial<ChartState> = {},
): ChartState {
  const path = id.split('.').slice(1);
  return {
    id,
    key: path.at(-1) ?? id,
    path,
    type,
    entry: [],
    exit: [],
    invokes: [],
    tags: [],
    children,
    ...(type === 'compound' && children[0] && { initial: children[0].id }),
    ...extra,
  };
}

let n = 0;
export function on(
  source: string,
  event: string,
  targets: string[],
  extra: Partial<ChartTransition> = {},
): ChartTransition {
  return {
    id: `${source}#${n++}`,
    source,
    targets,
    kind: 'event',
    event,
    label: event,
    reenter: false,
    internal: targets.length === 0,
    actions: [],
    ...extra,
  };
}

/** The order machine's chart, as GET /v1/machines/order returns it (abridged to what the UI reads). */
export const orderChart: Chart = {
  machine: 'order',
  root: state('order', 'compound', [
    state('order.pending', 'atomic'),
    state(
      'order.paid',
      'compound',
      [state('order.paid.awaitingPacking', 'atomic'), state('order.paid.packed', 'atomic')],
      {
        entry: ['notifyCustomer'],
      },
    ),
    state('order.shipped', 'atomic'),
    state('order.delivered', 'final'),
    state('order.cancelled', 'final'),
  ]),
  transitions: [
    on('order.pending', 'Pay', ['order.paid'], {
      guard: 'paidInFull',
      actions: ['assign', 'emit'],
    }),
    on('order.pending', 'Cancel', ['order.cancelled']),
    on('order.pending', 'xstate.after.paymentWindow.order.pending', ['order.cancelled'], {
      kind: 'after',
      label: 'after 48h',
      delay: { name: 'paymentWindow', ms: 172_800_000 },
    }),
    on('order.paid', 'Ship', ['order.shipped']),
    on('order.paid', 'Cancel', ['order.cancelled']),
    on('order.paid.awaitingPacking', 'Pack', ['order.paid.packed']),
    on('order.shipped', 'Deliver', ['order.delivered']),
  ],
};

/**
 * A machine of 42 states: a parallel fulfilment with four regions
 * (each with history), nested compounds, finals, and transitions across
 * levels — the size the chart must stay readable at.
 */
export function bigChart(): Chart {
  const region = (name: string, steps: string[]) => {
    const base = `big.work.${name}`;
    return state(base, 'compound', [
      ...steps.map((s) => state(`${base}.${s}`, 'atomic')),
      state(`${base}.done`, 'final'),
      state(`${base}.hist`, 'history', [], { history: name === 'billing' ? 'deep' : 'shallow' }),
    ]);
  };
  const regions = [
    region('billing', ['quote', 'invoice', 'charge', 'receipt']),
    region('stock', ['reserve', 'pick', 'pack', 'label']),
    region('shipping', ['book', 'collect', 'transit', 'deliver']),
    region('returns', ['request', 'inspect', 'refund', 'restock']),
  ];
  const flow = ['draft', 'review', 'approve', 'schedule'];
  const root = state('big', 'compound', [
    state('big.intake', 'compound', [
      ...flow.map((s) => state(`big.intake.${s}`, 'atomic')),
      state('big.intake.rejected', 'final'),
    ]),
    state('big.work', 'parallel', regions),
    state('big.support', 'compound', [
      state('big.support.open', 'atomic', [], { invokes: [{ id: 'ticket', src: 'openTicket' }] }),
      state('big.support.waiting', 'atomic'),
      state('big.support.escalated', 'atomic'),
      state('big.support.closed', 'final'),
    ]),
    state('big.archived', 'final'),
    state('big.cancelled', 'final'),
  ]);
  const t: ChartTransition[] = [];
  for (const [i, s] of flow.slice(0, -1).entries()) {
    t.push(on(`big.intake.${s}`, `Next${i}`, [`big.intake.${flow[i + 1]}`]));
  }
  t.push(on('big.intake.review', 'Reject', ['big.intake.rejected'], { guard: 'isReviewer' }));
  t.push(on('big.intake.schedule', 'Start', ['big.work']));
  for (const r of regions) {
    const steps = r.children.filter((c) => c.type === 'atomic');
    steps.forEach((s, i) => {
      const next = steps[i + 1]?.id ?? `${r.id}.done`;
      t.push(on(s.id, `${r.key}.${s.key}.ok`, [next]));
    });
    t.push(
      on(steps[1]?.id ?? r.id, `${r.key}.retry`, [steps[0]?.id ?? r.id], {
        kind: 'after',
        label: 'after 5min',
        delay: { ms: 300_000 },
      }),
    );
  }
  t.push(on('big.work', 'Problem', ['big.support']));
  t.push(
    on('big.work', 'xstate.done.state.big.work', ['big.archived'], {
      kind: 'done.state',
      label: 'done',
    }),
  );
  t.push(on('big.support.open', 'Reply', ['big.support.waiting']));
  t.push(
    on('big.support.waiting', 'Escalate', ['big.support.escalated'], { guard: 'slaBreached' }),
  );
  t.push(on('big.support.escalated', 'Resolve', ['big.support.closed']));
  t.push(on('big.support.waiting', 'Resolve', ['big.support.closed']));
  t.push(on('big.support', 'Resume', ['big.work.billing.hist']));
  t.push(on('big.support', 'Note', [], { actions: ['appendNote'] }));
  t.push(on('big.intake', 'Cancel', ['big.cancelled']));
  t.push(on('big.support', 'Cancel', ['big.cancelled']));
  return { machine: 'big', root, transitions: t };
}
