/**
 * The ticket machine before version 2 existed: what `examples/versioned/module.ts`
 * grew from. The README's "Changing a machine" starts here.
 */
import { ticketV1 } from './ticket-v1.js';

export const machines = [ticketV1];
