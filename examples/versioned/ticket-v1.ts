import { assign, setup } from 'xstate';

/**
 * A support ticket, version 1: open → (Assign) assigned → (Resolve) resolved.
 * Unassigned tickets escalate after 4 hours.
 */
export const ticketV1 = setup({
  types: {
    context: {} as { title: string; assignee: string | null; escalated: boolean },
    input: {} as { title: string },
    events: {} as { type: 'Assign'; to: string } | { type: 'Resolve' },
  },
  delays: { escalateAfter: 4 * 60 * 60 * 1000 },
}).createMachine({
  id: 'ticket',
  initial: 'open',
  context: ({ input }) => ({ title: input.title, assignee: null, escalated: false }),
  states: {
    open: {
      after: { escalateAfter: { actions: assign({ escalated: true }) } },
      on: {
        Assign: { target: 'assigned', actions: assign({ assignee: ({ event }) => event.to }) },
      },
    },
    assigned: { on: { Resolve: 'resolved' } },
    resolved: { type: 'final' },
  },
});
