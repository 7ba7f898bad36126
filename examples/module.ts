/**
 * The example machine module: what `npm start` serves (`stator serve
 * examples/module.ts`). A module exports its machines and, optionally, payload
 * schemas (any Standard Schema validator; zod here), authorization policies and
 * activity retry policies. `order` is driven by events from outside;
 * `checkout` runs by itself through durable activities (reserve, charge, ship).
 */
import { z } from 'zod';
import type { MachineSchemas, Policies } from '../src/server.js';
import { checkoutSaga, createServices } from './checkout-saga.js';
import { orderMachine } from './order.js';

export const machines = [orderMachine, checkoutSaga(createServices())];

/** Retry policies of promise actors, by their `setup({ actors })` name. */
export const activities = {
  chargeCard: { maxAttempts: 3, initialDelayMs: 200 },
};

/** Payload schemas by machine and event type: a bad payload is a 400 and nothing is recorded. */
export const schemas: Record<string, MachineSchemas> = {
  order: {
    input: z.strictObject({ total: z.number().positive().max(1_000_000) }),
    events: {
      Pay: z.strictObject({ amount: z.number().positive().max(1_000_000).optional() }),
      Pack: z.strictObject({}),
      Ship: z.strictObject({ carrier: z.string().min(1).max(50).optional() }),
      Deliver: z.strictObject({}),
      Cancel: z.strictObject({ reason: z.string().min(1).max(500).optional() }),
    },
  },
  checkout: {
    input: z.strictObject({
      items: z.array(z.string().min(1).max(100)).min(1).max(50),
      amount: z.number().positive().max(1_000_000),
    }),
  },
};

/**
 * Who may do what (enforced when the server has authentication configured):
 * customers create, pay and cancel unpaid orders; the warehouse packs, ships
 * and delivers; admins do everything, operator actions (stop an instance,
 * retry its failed work, migrate it) included.
 */
export const policies: Policies = {
  order: {
    create: { roles: ['customer', 'admin'] },
    events: {
      Pay: { roles: ['customer', 'admin'] },
      Cancel: {
        roles: ['customer', 'admin'],
        guard: (actor, state) =>
          actor.roles?.includes('admin') ||
          state?.value === 'pending' ||
          'customers can cancel an order only before it is paid',
      },
      '*': { roles: ['warehouse', 'admin'] },
    },
    read: { roles: ['customer', 'warehouse', 'admin'] },
    operate: { roles: ['admin'] },
  },
  checkout: {
    create: { roles: ['customer', 'admin'] },
    read: { roles: ['customer', 'admin'] },
    operate: { roles: ['admin'] },
  },
};
