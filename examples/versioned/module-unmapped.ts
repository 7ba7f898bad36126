/**
 * Both ticket versions without the migration: what `stator diff` says when a
 * renamed state has live instances and no mapping (blocked).
 */
import { ticketV1 } from './ticket-v1.js';
import { ticketV2 } from './ticket-v2.js';

export const machines = [
  { machine: ticketV1, version: '1' },
  { machine: ticketV2, version: '2' },
];
