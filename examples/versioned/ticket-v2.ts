import { assign, setup } from 'xstate';

/**
 * A support ticket, version 2: `assigned` is now `inProgress`, which can wait
 * on the customer (Ask / Reply), and tickets carry a priority.
 */
export const ticketV2 = setup({
  types: {
    context: {} as {
      title: string;
      assignee: string | null;
      escalated: boolean;
      priority: 'low' | 'normal' | 'high';
    },
    input: {} as { title: string; priority?: 'low' | 'normal' | 'high' },
    events: {} as
      | { type: 'Assign'; to: string }
      | { type: 'Ask' }
      | { type: 'Reply' }
      | { type: 'Resolve' },
  },
  delays: { escalateAfter: 4 * 60 * 60 * 1000 },
}).createMachine({
  id: 'ticket',
  initial: 'open',
  context: ({ input }) => ({
    title: input.title,
    assignee: null,
    escalated: false,
    priority: input.priority ?? 'normal',
  }),
  states: {
    open: {
      after: { escalateAfter: { actions: assign({ escalated: true }) } },
      on: {
        Assign: { target: 'inProgress', actions: assign({ assignee: ({ event }) => event.to }) },
      },
    },
    inProgress: {
      initial: 'working',
      states: {
        working: { on: { Ask: 'waitingOnCustomer' } },
        waitingOnCustomer: { on: { Reply: 'working' } },
      },
      on: { Resolve: 'resolved' },
    },
    resolved: { type: 'final' },
  },
});
