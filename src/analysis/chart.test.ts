import { describe, expect, it } from 'vitest';
import { and, not, or, raise, setup, stateIn } from 'xstate';
import { checkoutSaga, createServices } from '../../examples/checkout-saga.js';
import { orderMachine } from '../../examples/order.js';
import { type ChartState, durationLabel, machineChart } from './chart.js';

const flat = (s: ChartState): ChartState[] => [s, ...s.children.flatMap(flat)];

describe('machineChart', () => {
  it('reads the order machine: nesting, initial children, finals and entry actions', () => {
    const chart = machineChart(orderMachine);
    expect(chart.machine).toBe('order');
    expect(chart.root).toMatchObject({ id: 'order', type: 'compound', initial: 'order.pending' });
    expect(chart.root.children.map((s) => [s.key, s.type])).toEqual([
      ['pending', 'atomic'],
      ['paid', 'compound'],
      ['shipped', 'atomic'],
      ['delivered', 'final'],
      ['cancelled', 'final'],
    ]);
    // The timer plumbing XState adds for `after` is not shown as actions.
    expect(chart.root.children[0]).toMatchObject({ key: 'pending', entry: [], exit: [] });
    const paid = chart.root.children[1];
    expect(paid).toMatchObject({
      id: 'order.paid',
      path: ['paid'],
      initial: 'order.paid.awaitingPacking',
      entry: ['notifyCustomer'],
    });
    expect(paid?.children.map((s) => s.path)).toEqual([
      ['paid', 'awaitingPacking'],
      ['paid', 'packed'],
    ]);
  });

  it('labels the order transitions with event, guard, delay and action names', () => {
    const { transitions } = machineChart(orderMachine);
    const pick = ({
      source,
      targets,
      kind,
      label,
      guard,
      delay,
      actions,
    }: (typeof transitions)[0]) => ({ source, targets, kind, label, guard, delay, actions });
    expect(transitions.map(pick)).toEqual([
      {
        source: 'order.pending',
        targets: ['order.paid'],
        kind: 'event',
        label: 'Pay',
        guard: 'paidInFull',
        delay: undefined,
        actions: ['assign', 'emit'],
      },
      {
        source: 'order.pending',
        targets: ['order.cancelled'],
        kind: 'event',
        label: 'Cancel',
        guard: undefined,
        delay: undefined,
        actions: ['assign'],
      },
      {
        source: 'order.pending',
        targets: ['order.cancelled'],
        kind: 'after',
        label: 'after 48h',
        guard: undefined,
        delay: { name: 'paymentWindow', ms: 172_800_000 },
        actions: ['assign'],
      },
      expect.objectContaining({ source: 'order.paid', label: 'Ship', targets: ['order.shipped'] }),
      expect.objectContaining({ source: 'order.paid', label: 'Cancel' }),
      expect.objectContaining({
        source: 'order.paid.awaitingPacking',
        label: 'Pack',
        targets: ['order.paid.packed'],
      }),
      expect.objectContaining({ source: 'order.shipped', label: 'Deliver' }),
    ]);
    expect(new Set(transitions.map((t) => t.id)).size).toBe(transitions.length);
  });

  it('reads the checkout saga: invokes and their done/error transitions', () => {
    const chart = machineChart(checkoutSaga(createServices()));
    expect(chart.root.children.map((s) => [s.key, s.invokes])).toEqual([
      ['reserving', [{ id: 'reserve', src: 'reserveStock' }]],
      ['charging', [{ id: 'charge', src: 'chargeCard' }]],
      ['shipping', [{ id: 'ship', src: 'shipOrder' }]],
      ['compensating', [{ id: 'release', src: 'releaseStock' }]],
      ['completed', []],
      ['failed', []],
    ]);
    const charging = chart.transitions.filter((t) => t.source === 'checkout.charging');
    expect(
      charging.map(({ kind, event, label, invoke, targets }) => ({
        kind,
        event,
        label,
        invoke,
        targets,
      })),
    ).toEqual([
      {
        kind: 'done',
        event: 'xstate.done.actor.charge',
        label: 'done charge',
        invoke: 'charge',
        targets: ['checkout.shipping'],
      },
      {
        kind: 'error',
        event: 'xstate.error.actor.charge',
        label: 'error charge',
        invoke: 'charge',
        targets: ['checkout.compensating'],
      },
    ]);
  });

  it('reads parallel regions, history states, always, reenter, targetless and composite guards', () => {
    const machine = setup({
      guards: { a: () => true, b: () => true },
      actions: { track: () => {} },
    }).createMachine({
      id: 'job',
      type: 'parallel',
      states: {
        upload: {
          initial: 'idle',
          states: {
            idle: {
              on: {
                Go: { target: 'busy', guard: and(['a', not('b')]) },
                Ping: { actions: ['track', raise({ type: 'Go' })] },
              },
            },
            busy: {
              after: { 1500: 'idle' },
              always: { target: 'idle', guard: or([stateIn('#job.scan.done'), 'b']) },
            },
            hist: { type: 'history', history: 'deep' },
            shallow: { type: 'history' },
          },
        },
        scan: {
          initial: 'running',
          on: { Restart: { target: '.running', reenter: true }, Peek: { target: '.running' } },
          states: { running: { on: { Finish: 'done' } }, done: { type: 'final' } },
          onDone: { target: '.running' },
        },
      },
    });
    const chart = machineChart(machine);
    expect(chart.root.type).toBe('parallel');
    expect(chart.root.initial).toBeUndefined();
    const states = flat(chart.root);
    expect(states.find((s) => s.key === 'hist')).toMatchObject({
      type: 'history',
      history: 'deep',
    });
    expect(states.find((s) => s.key === 'shallow')).toMatchObject({
      type: 'history',
      history: 'shallow',
    });
    const by = (label: string) => chart.transitions.find((t) => t.label === label);
    expect(by('Go')).toMatchObject({ guard: 'a && !b', internal: false });
    expect(by('Ping')).toMatchObject({ targets: [], internal: true, actions: ['track', 'raise'] });
    expect(by('after 1.5s')).toMatchObject({ kind: 'after', delay: { ms: 1500 } });
    expect(by('always')).toMatchObject({
      kind: 'always',
      event: '',
      guard: 'in(#job.scan.done) || b',
    });
    expect(by('Restart')).toMatchObject({ reenter: true, internal: false });
    expect(by('Peek')).toMatchObject({ reenter: false, internal: true });
    expect(by('done')).toMatchObject({ kind: 'done.state', source: 'job.scan' });
  });

  it('is plain JSON', () => {
    const chart = machineChart(orderMachine);
    expect(JSON.parse(JSON.stringify(chart))).toEqual(chart);
  });
});

describe('durationLabel', () => {
  it('uses the largest unit that divides evenly', () => {
    expect(durationLabel(172_800_000)).toBe('48h');
    expect(durationLabel(7 * 86_400_000)).toBe('7d');
    expect(durationLabel(90_000)).toBe('90s');
    expect(durationLabel(120_000)).toBe('2min');
    expect(durationLabel(1500)).toBe('1.5s');
    expect(durationLabel(250)).toBe('250ms');
  });
});
