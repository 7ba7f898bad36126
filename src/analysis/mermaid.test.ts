import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { orderMachine } from '../../examples/order.js';
import { eventTypes, mermaidGraph } from './mermaid.js';

describe('mermaidGraph', () => {
  it('draws the order machine: initial, nested states, guards, delays and finals', () => {
    expect(mermaidGraph(orderMachine)).toBe(`stateDiagram-v2
  [*] --> order_pending
  state "pending" as order_pending
  state "paid" as order_paid
  state order_paid {
    [*] --> order_paid_awaitingPacking
    state "awaitingPacking" as order_paid_awaitingPacking
    state "packed" as order_paid_packed
    order_paid_awaitingPacking --> order_paid_packed : Pack
  }
  state "shipped" as order_shipped
  state "delivered" as order_delivered
  state "cancelled" as order_cancelled
  order_pending --> order_paid : Pay [paidInFull]
  order_pending --> order_cancelled : Cancel
  order_pending --> order_cancelled : after paymentWindow
  order_paid --> order_shipped : Ship
  order_paid --> order_cancelled : Cancel
  order_shipped --> order_delivered : Deliver
  order_delivered --> [*]
  order_cancelled --> [*]
`);
  });

  it('draws parallel regions, numeric delays, always transitions and odd names', () => {
    const machine = setup({ guards: { ready: () => true } }).createMachine({
      id: 'job',
      type: 'parallel',
      states: {
        'upload "a"': {
          initial: 'idle',
          states: { idle: { after: { 5000: 'done' } }, done: { type: 'final' } },
        },
        check: {
          initial: 'wait',
          states: { wait: { always: { guard: 'ready', target: 'ok' } }, ok: {} },
        },
      },
    });
    const graph = mermaidGraph(machine);
    expect(graph).toContain('  --\n');
    expect(graph).toContain('job_upload__a__idle --> job_upload__a__done : after 5000ms');
    expect(graph).toContain('job_check_wait --> job_check_ok : always [ready]');
    expect(graph).toContain('state "upload  a " as job_upload__a_');
  });
});

describe('eventTypes', () => {
  it("lists the events a machine handles, without XState's internal ones", () => {
    expect(eventTypes(orderMachine).sort()).toEqual(['Cancel', 'Deliver', 'Pack', 'Pay', 'Ship']);
  });
});
