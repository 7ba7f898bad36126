/**
 * A machine in two versions, served side by side: `stator serve
 * examples/versioned/module.ts`. Instances created before version 2 keep
 * running version 1 until they are migrated (`stator migrate-instances ticket
 * --from 1 --to 2`); new ones start on version 2. The README's "Changing a
 * machine" walks through it.
 */
import type { MigrationDeclaration } from '../../src/index.js';
import type { Policies } from '../../src/server.js';
import { ticketV1 } from './ticket-v1.js';
import { ticketV2 } from './ticket-v2.js';

export const machines = [
  { machine: ticketV1, version: '1' },
  { machine: ticketV2, version: '2' },
];

/** Version 1's `assigned` is version 2's `inProgress.working`; old tickets get normal priority. */
export const migrations: MigrationDeclaration[] = [
  {
    machine: 'ticket',
    from: '1',
    to: '2',
    states: { assigned: 'inProgress.working' },
    context: (context) => ({ ...(context as object), priority: 'normal' }),
  },
];

/** With authentication on: agents work tickets, leads may also migrate them. */
export const policies: Policies = {
  ticket: {
    create: { roles: ['agent', 'lead'] },
    events: { '*': { roles: ['agent', 'lead'] } },
    read: { roles: ['agent', 'lead'] },
    migrate: { roles: ['lead'] },
  },
};
