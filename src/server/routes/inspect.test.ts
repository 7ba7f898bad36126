import { describe, expect, it, onTestFinished } from 'vitest';
import { memoryStore } from '../../memory.js';
import { createEngine } from '../../runtime/engine.js';
import { bothVersions, v1ToV2 } from '../../runtime/versioning/test-support/subscription.js';
import { createApp } from '../app.js';
import { issueApiKey } from '../auth/api-keys.js';
import { openApiDocument } from '../openapi.js';
import { harness, manualClock, ORDERS, problemOf } from '../test-support/harness.js';

const HOUR = 60 * 60 * 1000;

describe('GET …/instances/{id}/state?seq= (time travel)', () => {
  it('rebuilds state, context and pending timers as they were after each event', async () => {
    const clock = manualClock();
    const created = clock.now();
    const h = await harness({ clock });
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    clock.advance(1000);
    await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pay', amount: 40 });
    clock.advance(1000);
    await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pack' });

    const at = async (seq: number) => {
      const res = await h.call('GET', `${ORDERS}/o-1/state?seq=${seq}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    const first = await at(1);
    expect(first).toMatchObject({
      seq: 1,
      version: '1',
      value: 'pending',
      status: 'active',
      context: { total: 40, paid: 0 },
      stateEnteredAt: created,
      event: { seq: 1, type: 'xstate.init' },
    });
    // The 48-hour payment window was pending after creation, and only then.
    expect(first.timers).toEqual([
      expect.objectContaining({ dueAt: created + 48 * HOUR, setBySeq: 1, target: 'self' }),
    ]);
    const second = await at(2);
    expect(second).toMatchObject({
      value: { paid: 'awaitingPacking' },
      context: { paid: 40 },
      stateEnteredAt: created + 1000,
      timers: [],
      event: { type: 'Pay' },
    });
    expect(await at(3)).toMatchObject({ value: { paid: 'packed' }, seq: 3 });

    // Replay writes nothing: the instance and its history are as they were.
    const now = (await (await h.call('GET', `${ORDERS}/o-1`)).json()) as { seq: number };
    expect(now.seq).toBe(3);
  });

  it('refuses a seq past the history, a seq that is not a positive integer, and unknown instances', async () => {
    const h = await harness();
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } });
    const past = await h.call('GET', `${ORDERS}/o-1/state?seq=2`);
    expect(past.status).toBe(400);
    expect((await problemOf(past)).detail).toMatch(/history ends at 1/);
    for (const bad of ['0', '-1', 'x', '1.5', '']) {
      const res = await h.call('GET', `${ORDERS}/o-1/state?seq=${bad}`);
      expect(res.status, bad).toBe(400);
    }
    expect((await h.call('GET', `${ORDERS}/o-1/state`)).status).toBe(400);
    expect((await h.call('GET', `${ORDERS}/o-1/state?seq=1&x=1`)).status).toBe(400);
    expect((await h.call('GET', `${ORDERS}/nope/state?seq=1`)).status).toBe(404);
    expect((await h.call('POST', `${ORDERS}/o-1/state?seq=1`)).status).toBe(405);
  });

  it('follows a recorded migration: the version, state, context and timers switch at its event', async () => {
    let now = Date.UTC(2026, 0, 1);
    const engine = await createEngine({
      store: memoryStore(),
      machines: bothVersions,
      migrations: [v1ToV2],
      rollout: { subscription: { '2': 0 } },
      clock: { now: () => now },
      dispatch: 'manual',
    });
    onTestFinished(() => engine.close());
    const app = createApp({ engine, inspector: false });
    const get = async (seq: number) => {
      const res = await app.request(`/v1/machines/subscription/instances/s1/state?seq=${seq}`);
      expect(res.status).toBe(200);
      return (await res.json()) as Record<string, unknown>;
    };
    const start = now;
    await engine.create('subscription', 's1');
    now += 10;
    await engine.send('subscription', 's1', { type: 'Pause' });
    now += 10;
    await engine.migrate('subscription', 's1', { to: '2' });
    now += 10;
    await engine.send('subscription', 's1', { type: 'Resume' });

    expect(await get(1)).toMatchObject({ version: '1', value: 'active', timers: [] });
    const paused = await get(2);
    expect(paused).toMatchObject({ version: '1', value: 'paused' });
    expect(paused.timers).toEqual([expect.objectContaining({ dueAt: start + 10 + 60_000 })]);
    const migrated = await get(3);
    expect(migrated).toMatchObject({
      version: '2',
      value: 'onHold',
      context: { note: 'migrated to v2', pauses: 1 },
      event: { type: 'stator.migrated' },
    });
    // v2's grace period (120 s), from the migration's time.
    expect(migrated.timers).toEqual([
      expect.objectContaining({ dueAt: start + 20 + 120_000, setBySeq: 3 }),
    ]);
    expect(await get(4)).toMatchObject({ version: '2', value: 'active', timers: [] });
  });
});

describe('what the caller may do (whoami, permissions)', () => {
  async function setup() {
    const h = await harness({ auth: (store) => ({ apiKeys: store }) });
    const key = async (roles: string[]) => {
      const issued = issueApiKey({
        name: roles.join('+') || 'none',
        subject: `who-${roles.join('-') || 'none'}`,
        roles,
        now: 1,
      });
      await h.store.putApiKey(issued.row);
      return { authorization: `Bearer ${issued.token}` };
    };
    const customer = await key(['customer']);
    const nobody = await key([]);
    await h.call('POST', ORDERS, { id: 'o-1', input: { total: 40 } }, customer);
    return { h, customer, nobody };
  }

  it('says who the caller is and what its roles allow per machine, with the reasons', async () => {
    const { h, customer } = await setup();
    const res = await h.call('GET', '/v1/whoami', undefined, customer);
    expect(res.status).toBe(200);
    const me = (await res.json()) as {
      authenticated: boolean;
      enforced: boolean;
      actor: { id: string; roles: string[] };
      machines: {
        machine: string;
        read: unknown;
        create: unknown;
        events: Record<string, unknown>;
      }[];
    };
    expect(me).toMatchObject({
      authenticated: true,
      enforced: true,
      actor: { id: 'who-customer', roles: ['customer'] },
    });
    const order = me.machines.find((m) => m.machine === 'order');
    expect(order).toMatchObject({ read: true, create: true, migrate: expect.any(String) });
    // Operating (stop, retries, dead letters) is for admins in the example module.
    expect(order).toMatchObject({
      operate: expect.stringMatching(/requires one of the roles admin/),
    });
    expect(order?.events.Pay).toBe(true);
    expect(order?.events.Pack).toMatch(/requires one of the roles warehouse, admin/);
    // Unauthenticated callers are refused, as on every /v1 route.
    expect((await h.call('GET', '/v1/whoami')).status).toBe(401);
  });

  it('says everything is allowed when the server runs without authentication', async () => {
    const h = await harness();
    const me = (await (await h.call('GET', '/v1/whoami')).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ authenticated: false, enforced: false, actor: null });
    expect(me.machines).toContainEqual(
      expect.objectContaining({
        machine: 'order',
        read: true,
        events: expect.objectContaining({ Pay: true }),
      }),
    );
  });

  it("decides an instance's events with the guards on its current state", async () => {
    const { h, customer, nobody } = await setup();
    const before = await (
      await h.call('GET', `${ORDERS}/o-1/permissions`, undefined, customer)
    ).json();
    expect(before).toMatchObject({ seq: 1, events: { Cancel: true, Pay: true } });
    await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Pay' }, customer);
    const after = (await (
      await h.call('GET', `${ORDERS}/o-1/permissions`, undefined, customer)
    ).json()) as { events: Record<string, unknown> };
    expect(after.events.Cancel).toBe('customers can cancel an order only before it is paid');
    // And the engine agrees: the send is refused with the same reason.
    const sent = await h.call('POST', `${ORDERS}/o-1/events`, { type: 'Cancel' }, customer);
    expect((await problemOf(sent)).detail).toMatch(/only before it is paid/);
    // Read access applies to both instance routes.
    expect((await h.call('GET', `${ORDERS}/o-1/permissions`, undefined, nobody)).status).toBe(403);
    expect((await h.call('GET', `${ORDERS}/o-1/state?seq=1`, undefined, nobody)).status).toBe(403);
    expect((await h.call('GET', `${ORDERS}/o-1/state?seq=1`, undefined, customer)).status).toBe(
      200,
    );
  });
});

describe('the OpenAPI document', () => {
  it('lists the inspector routes with their schemas', () => {
    const doc = openApiDocument({
      machines: [{ name: 'order', events: ['Pay'], schemas: {} }],
      authenticated: false,
      version: '0',
    }) as { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/whoami',
        '/v1/machines/{machine}/instances/{id}/state',
        '/v1/machines/{machine}/instances/{id}/permissions',
      ]),
    );
    expect(doc.components.schemas).toHaveProperty('PastState');
    expect(doc.components.schemas).toHaveProperty('WhoAmI');
  });
});
