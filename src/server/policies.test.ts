import { describe, expect, it } from 'vitest';
import type { InstanceState } from '../runtime/types.js';
import { issueApiKey } from './auth/api-keys.js';
import { authorizer, operateDecision, readDecision } from './policies.js';
import { harness, ORDERS, problemOf } from './test-support/harness.js';

const state = (value: InstanceState['value'], owner = 'u1') =>
  ({ machine: 'order', id: 'o', value, context: { owner } }) as unknown as InstanceState;

describe('authorizer (pure)', () => {
  const authorize = authorizer({
    order: {
      create: { roles: ['customer'] },
      events: {
        Pay: {
          roles: ['customer'],
          guard: (a, s) =>
            (s?.context as { owner: string } | undefined)?.owner === a.id || 'not your order',
        },
        '*': { roles: ['admin'] },
      },
      read: {
        roles: ['customer'],
        guard: (a, s) => (s.context as { owner: string }).owner === a.id,
      },
    },
    '*': { events: { '*': { roles: ['root'] } } },
  });
  const ask = (type: string, roles: string[], id = 'u1') =>
    authorize.decide!({
      machine: 'order',
      id: 'o',
      event: { type },
      actor: { id, roles },
      state: state('pending'),
      duplicate: false,
    });

  it('allows by role and guard, and gives the reason otherwise', () => {
    expect(ask('Pay', ['customer'])).toBe(true);
    expect(ask('Pay', ['customer'], 'u2')).toBe('not your order');
    expect(ask('Pay', ['admin'])).toContain('requires one of the roles customer');
  });

  it("falls back to '*' per event type, uses `create` for creates, and '*' for other machines", () => {
    expect(ask('Ship', ['admin'])).toBe(true);
    expect(ask('Ship', ['customer'])).not.toBe(true);
    expect(
      authorize.decide!({
        machine: 'order',
        id: 'o',
        event: { type: 'xstate.init' },
        actor: { id: 'u', roles: ['customer'] },
        state: undefined,
        duplicate: false,
      }),
    ).toBe(true);
    expect(
      authorize.decide!({
        machine: 'other',
        id: 'o',
        event: { type: 'Go' },
        actor: { id: 'u', roles: [] },
        state: undefined,
        duplicate: false,
      }),
    ).not.toBe(true);
  });

  it('denies a guard that throws, and an anonymous actor where a rule exists', () => {
    const throwing = authorizer({
      m: {
        events: {
          E: {
            guard: () => {
              throw new Error('boom');
            },
          },
        },
      },
    });
    expect(
      throwing.decide!({
        machine: 'm',
        id: 'i',
        event: { type: 'E' },
        actor: { id: 'a' },
        state: undefined,
        duplicate: false,
      }),
    ).toContain('boom');
    expect(ask('Pay', [], 'u1')).not.toBe(true);
    expect(
      authorize.decide!({
        machine: 'order',
        id: 'o',
        event: { type: 'Pay' },
        actor: null,
        state: undefined,
        duplicate: false,
      }),
    ).toContain('not authenticated');
  });

  it('admits by roles alone, before anything about the instance is known', () => {
    const admit = (type: string, roles: string[]) =>
      authorize.admit!({ machine: 'order', id: 'o', eventType: type, actor: { id: 'u2', roles } });
    expect(admit('Pay', ['customer'])).toBe(true); // the guard is not asked yet
    expect(admit('Pay', ['admin'])).toContain('requires one of the roles customer');
    expect(admit('xstate.init', ['customer'])).toBe(true);
  });

  it('decides a repeated request by its roles only: its guard was decided when it was first made', () => {
    const request = {
      machine: 'order',
      id: 'o',
      event: { type: 'Pay' },
      actor: { id: 'u2', roles: ['customer'] },
      state: state('paid'),
    };
    expect(authorize.decide!({ ...request, duplicate: false })).toBe('not your order');
    expect(authorize.decide!({ ...request, duplicate: true })).toBe(true);
    expect(
      authorize.decide!({ ...request, actor: { id: 'u2', roles: [] }, duplicate: true }),
    ).not.toBe(true);
  });

  it('checks reads by role, then by guard per instance', () => {
    const policies = {
      order: {
        read: {
          roles: ['customer'],
          guard: (a: { id: string }, s: InstanceState) =>
            (s.context as { owner: string }).owner === a.id,
        },
      },
    };
    expect(readDecision(policies, 'order', { id: 'u1', roles: ['customer'] })).toBe(true);
    expect(
      readDecision(policies, 'order', { id: 'u1', roles: ['customer'] }, state('pending', 'u2')),
    ).not.toBe(true);
    expect(readDecision(policies, 'order', { id: 'u1', roles: [] })).not.toBe(true);
    expect(readDecision({}, 'order', { id: 'u1' })).toBe(true);
  });
});

describe('operator rules (pure)', () => {
  const ask = (policies: Parameters<typeof authorizer>[0], type: string, roles: string[]) =>
    authorizer(policies).decide!({
      machine: 'order',
      id: 'o',
      event: { type },
      actor: { id: 'u', roles },
      state: state('pending'),
      duplicate: false,
    });

  it("denies stops when no `operate` rule is declared, even where events['*'] is open", () => {
    const open = { order: { events: { '*': {} } } };
    expect(ask(open, 'Pay', [])).toBe(true);
    expect(ask(open, 'xstate.stop', ['admin'])).toContain('no "operate" rule');
    expect(operateDecision(open, 'order', { id: 'u', roles: ['admin'] })).toContain(
      'no "operate" rule',
    );
  });

  it('allows stops and operator actions by the `operate` rule, its guard seeing the instance', () => {
    const policies = {
      order: {
        operate: {
          roles: ['ops'],
          guard: (_: unknown, s: InstanceState | undefined) =>
            s?.value !== 'shipped' || 'shipped orders are stopped by the carrier',
        },
      },
    };
    expect(ask(policies, 'xstate.stop', ['ops'])).toBe(true);
    expect(ask(policies, 'xstate.stop', ['customer'])).toContain('requires one of the roles ops');
    const ops = { id: 'u', roles: ['ops'] };
    expect(operateDecision(policies, 'order', ops, state('pending'))).toBe(true);
    expect(operateDecision(policies, 'order', ops, state('shipped'))).toBe(
      'shipped orders are stopped by the carrier',
    );
    expect(operateDecision(policies, 'order', null)).toContain('not authenticated');
  });

  it('lets migrations fall back to the `operate` rule when no `migrate` rule is declared', () => {
    const operateOnly = { order: { operate: { roles: ['ops'] } } };
    expect(ask(operateOnly, 'stator.migrated', ['ops'])).toBe(true);
    expect(ask(operateOnly, 'stator.migrated', ['customer'])).not.toBe(true);
    const both = { order: { operate: { roles: ['ops'] }, migrate: { roles: ['release'] } } };
    expect(ask(both, 'stator.migrated', ['ops'])).not.toBe(true);
    expect(ask(both, 'stator.migrated', ['release'])).toBe(true);
    expect(ask({ order: {} }, 'stator.migrated', ['ops'])).toContain('(nor an "operate" rule)');
  });
});

describe('policies over HTTP (examples/module.ts)', () => {
  async function setup() {
    const h = await harness({ auth: (store) => ({ apiKeys: store }) });
    const key = async (roles: string[]) => {
      const issued = issueApiKey({
        name: roles.join('+') || 'none',
        subject: `who-${roles.join('-')}`,
        roles,
        now: 1,
      });
      await h.store.putApiKey(issued.row);
      return { authorization: `Bearer ${issued.token}` };
    };
    const customer = await key(['customer']);
    const warehouse = await key(['warehouse']);
    const nobody = await key([]);
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } }, customer);
    return { h, customer, warehouse, nobody };
  }

  it('given a warehouse key, when it sends Pay, then 403 FORBIDDEN, a rejected_auth audit row and no event', async () => {
    const { h, warehouse } = await setup();
    const res = await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pay' }, warehouse);
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect(problem.detail).toContain('requires one of the roles customer, admin');
    const { entries } = await h.engine.audit('order', 'o-1');
    expect(entries.at(-1)).toMatchObject({
      outcome: 'rejected_auth',
      eventType: 'Pay',
      actor: { id: 'who-warehouse' },
    });
    expect((await h.engine.history('order', 'o-1')).events).toHaveLength(1);
  });

  it('given a customer, when paying and then cancelling a paid order, then the guard denies the cancel with its reason', async () => {
    const { h, customer } = await setup();
    expect((await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pay' }, customer)).status).toBe(
      200,
    );
    const res = await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Cancel' }, customer);
    expect(await problemOf(res)).toMatchObject({
      status: 403,
      details: { reason: 'customers can cancel an order only before it is paid' },
    });
  });

  it("given the warehouse, then '*' lets it Pack but the create rule stops it creating", async () => {
    const { h, customer, warehouse } = await setup();
    await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pay' }, customer);
    expect((await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pack' }, warehouse)).status).toBe(
      200,
    );
    const created = await h.call('POST', ORDERS, { id: 'o-2', input: { total: 1 } }, warehouse);
    expect(await problemOf(created)).toMatchObject({ status: 403, code: 'FORBIDDEN' });
  });

  it('given a key without a read role, then get, history, list and watch are 403', async () => {
    const { h, nobody, warehouse } = await setup();
    for (const path of [`${ORDERS}/o-1`, `${ORDERS}/o-1/history`, ORDERS, `${ORDERS}/o-1/watch`]) {
      expect(await problemOf(await h.call('GET', path, undefined, nobody)), path).toMatchObject({
        status: 403,
      });
    }
    expect((await h.call('GET', `${ORDERS}/o-1`, undefined, warehouse)).status).toBe(200);
  });
});
