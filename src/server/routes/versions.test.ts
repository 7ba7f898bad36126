import { describe, expect, it } from 'vitest';
import * as versioned from '../../../examples/versioned/module.js';
import { sqliteStore } from '../../sqlite.js';
import { issueApiKey } from '../auth/api-keys.js';
import { harness, problemOf } from '../test-support/harness.js';
import { MODULE, onTwoVersions, TICKETS, tempDb } from '../test-support/versioned.js';

describe('machine versions over HTTP', () => {
  it('lists versions with their live instances, newest marked latest', async () => {
    const h = await onTwoVersions();
    await h.call('POST', TICKETS, { id: 't-new', input: { title: 'mail' } });
    const res = await h.call('GET', '/v1/machines/ticket/versions');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { versions: Record<string, unknown>[] };
    expect(body.versions).toEqual([
      expect.objectContaining({
        version: '1',
        latest: false,
        retirable: false,
        live: { total: 2, states: { open: 1, assigned: 1 } },
      }),
      expect.objectContaining({
        version: '2',
        latest: true,
        live: { total: 1, states: { open: 1 } },
      }),
    ]);
    const detail = (await (await h.call('GET', '/v1/machines/ticket?version=1')).json()) as {
      version: string;
    };
    expect(detail.version).toBe('1');
  });

  it('diffs two versions: the renamed state is mapped, so moving is not blocked', async () => {
    const h = await onTwoVersions();
    const res = await h.call('GET', '/v1/machines/ticket/diff?from=1&to=2');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      blocked: boolean;
      states: { state: string; live: number; verdict: string }[];
    };
    expect(body.blocked).toBe(false);
    expect(body.states).toEqual(
      expect.arrayContaining([expect.objectContaining({ state: 'assigned', live: 1 })]),
    );
  });

  it('answers a diff naming an unknown version with a 404 that names the versions there are', async () => {
    const h = await onTwoVersions();
    const problem = await problemOf(await h.call('GET', '/v1/machines/ticket/diff?from=1&to=9'));
    expect(problem).toMatchObject({ status: 404 });
    expect(String(problem.detail)).toContain('9');
    const missing = await problemOf(await h.call('GET', '/v1/machines/ticket/diff?from=1'));
    expect(missing).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('shadow-runs version 1 histories on version 2 and reports where they differ', async () => {
    const h = await onTwoVersions();
    const res = await h.call('POST', '/v1/machines/ticket/shadow', { candidate: '2' });
    expect(res.status).toBe(200);
    const report = (await res.json()) as {
      examined: number;
      identical: number;
      divergences: { id: string; seq: number; eventType: string; reason: string }[];
    };
    expect(report.examined).toBe(2);
    // Version 2 starts tickets with a priority, and calls `assigned` `inProgress.working`:
    // both histories differ, each at its first event that comes out differently.
    expect(report.identical).toBe(0);
    expect(report.divergences.map(({ id, seq, eventType }) => ({ id, seq, eventType }))).toEqual([
      { id: 't-busy', seq: 1, eventType: 'xstate.init' },
      { id: 't-open', seq: 1, eventType: 'xstate.init' },
    ]);
    expect(report.divergences[0]?.reason).toContain('context');
    const one = (await (
      await h.call('POST', '/v1/machines/ticket/shadow', { candidate: '2', ids: ['t-open'] })
    ).json()) as { examined: number };
    expect(one.examined).toBe(1);
    const bad = await problemOf(
      await h.call('POST', '/v1/machines/ticket/shadow', { candidate: '2', sample: 0 }),
    );
    expect(bad).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
  });

  it('migrates one instance: state mapped, context transformed, recorded once under its Idempotency-Key', async () => {
    const h = await onTwoVersions();
    const path = `${TICKETS}/t-busy/migrate`;
    const dry = (await (await h.call('POST', path, { to: '2', dryRun: true })).json()) as Record<
      string,
      unknown
    >;
    expect(dry).toMatchObject({ migrated: false, from: '1', value: { inProgress: 'working' } });
    expect((await h.engine.get('ticket', 't-busy')).value).toBe('assigned');

    const key = { 'idempotency-key': 'move-t-busy' };
    const first = await h.call('POST', path, { to: '2' }, key);
    expect(first.status).toBe(200);
    expect(await first.json()).toMatchObject({
      migrated: true,
      duplicate: false,
      from: '1',
      value: { inProgress: 'working' },
      context: { assignee: 'ann', priority: 'normal' },
    });
    const again = (await (await h.call('POST', path, { to: '2' }, key)).json()) as Record<
      string,
      unknown
    >;
    expect(again).toMatchObject({ duplicate: true, migrated: true });
    const { events } = await h.engine.history('ticket', 't-busy');
    expect(events.filter((e) => e.type === 'stator.migrated')).toHaveLength(1);

    // On version 2 now: it takes version 2's events.
    const ask = await h.call('POST', `${TICKETS}/t-busy/events`, { type: 'Ask' });
    expect(await ask.json()).toMatchObject({ value: { inProgress: 'waitingOnCustomer' } });
  });

  it('refuses a migration to a version that does not exist, and a body without "to"', async () => {
    const h = await onTwoVersions();
    const unknown = await problemOf(await h.call('POST', `${TICKETS}/t-busy/migrate`, { to: '7' }));
    expect(unknown.status).toBe(404);
    const empty = await problemOf(await h.call('POST', `${TICKETS}/t-busy/migrate`, {}));
    expect(empty).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect((await h.engine.history('ticket', 't-busy')).events).toHaveLength(2);
  });

  it('refuses events typed "stator.migrated" from callers: nobody forges a migration', async () => {
    const h = await onTwoVersions();
    const res = await h.call('POST', `${TICKETS}/t-busy/events`, {
      type: 'stator.migrated',
      to: '2',
    });
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ status: 400, code: 'VALIDATION_FAILED' });
    expect(String(problem.detail)).toContain('reserved');
  });
});

describe('migrations under authorization', () => {
  async function withKeys() {
    const h = await onTwoVersions({ auth: (store) => ({ apiKeys: store }) });
    const key = async (roles: string[]) => {
      const issued = issueApiKey({
        name: roles.join('+'),
        subject: roles.join('-'),
        roles,
        now: 1,
      });
      await h.store.putApiKey(issued.row);
      return { authorization: `Bearer ${issued.token}` };
    };
    return { h, agent: await key(['agent']), lead: await key(['lead']) };
  }

  it('lets a lead migrate and denies an agent, whom the events rule lets send anything', async () => {
    const { h, agent, lead } = await withKeys();
    const path = `${TICKETS}/t-busy/migrate`;
    const denied = await problemOf(await h.call('POST', path, { to: '2' }, agent));
    expect(denied).toMatchObject({ status: 403, code: 'FORBIDDEN' });
    expect((await h.engine.get('ticket', 't-busy')).value).toBe('assigned');
    const allowed = await h.call('POST', path, { to: '2' }, lead);
    expect(allowed.status).toBe(200);
  });

  it('denies every migration when the module declares no migrate rule', async () => {
    const { migrate: _migrate, ...ticket } = versioned.policies.ticket ?? {};
    const path = tempDb();
    const first = await onTwoVersions({ path });
    await first.engine.close();
    const h = await harness({
      store: sqliteStore({ path }),
      module: { exports: { ...versioned, policies: { ticket } }, source: MODULE.source },
      auth: (s) => ({ apiKeys: s }),
    });
    const issued = issueApiKey({ name: 'lead', subject: 'lead', roles: ['lead'], now: 1 });
    await h.store.putApiKey(issued.row);
    const res = await h.call(
      'POST',
      `${TICKETS}/t-busy/migrate`,
      { to: '2' },
      { authorization: `Bearer ${issued.token}` },
    );
    const problem = await problemOf(res);
    expect(problem).toMatchObject({ status: 403 });
    expect(String(problem.detail)).toContain('no "migrate" rule is declared');
  });
});
