import { describe, expect, it } from 'vitest';
import { onTwoVersions, tempDb } from '../../server/test-support/versioned.js';
import { runCli } from '../program.js';
import { captureIo } from '../test-support/io.js';

type H = Awaited<ReturnType<typeof onTwoVersions>>;

async function cli(argv: string[], h: H) {
  const io = captureIo({ app: h.app });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('stator versions, diff, shadow', () => {
  it('lists versions with live instances by state', async () => {
    const h = await onTwoVersions();
    const { code, out } = await cli(['versions', 'ticket'], h);
    expect(code).toBe(0);
    expect(out).toMatch(/^1\s+2\s+assigned 1, open 1|^1\s+2\s+open 1, assigned 1/m);
    expect(out).toMatch(/^2\s+latest\s+0/m);
    const json = JSON.parse((await cli(['versions', 'ticket', '--json'], h)).out);
    expect(json.versions.map((v: { version: string }) => v.version)).toEqual(['1', '2']);
  });

  it('diffs versions: exit 0 when moving is not blocked, 3 for an unknown version', async () => {
    const h = await onTwoVersions();
    const ok = await cli(['diff', 'ticket', '--from', '1', '--to', '2'], h);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('ticket 1 → 2');
    expect(ok.out).toMatch(/assigned\s+1/);
    const back = await cli(['diff', 'ticket', '--from', '2', '--to', '1', '--json'], h);
    expect(JSON.parse(back.out)).toHaveProperty('verdict');
    expect((await cli(['diff', 'ticket', '--from', '1', '--to', '9'], h)).code).toBe(3);
  });

  it('shadow: exit 4 and each divergence printed when histories differ', async () => {
    const h = await onTwoVersions();
    const { code, out, err } = await cli(['shadow', 'ticket', '--version', '2'], h);
    expect(code).toBe(4);
    expect(out).toContain('2 histories replayed, 0 identical, 2 diverged');
    expect(out).toMatch(/t-busy at seq 1 \(xstate\.init\)/);
    expect(err).toContain('2 of 2 histories run differently on version 2');
    expect((await cli(['shadow', 'ticket', '--candidate', '2', '--sample', '0'], h)).code).toBe(2);
  });
});

describe('stator diff <module> <machine>, offline', () => {
  it('weighs the module against the instances a store holds, before any server runs it', async () => {
    const path = tempDb();
    const h = await onTwoVersions({ path });
    await h.engine.close();
    const db = `sqlite:${path}`;
    const diff = (module: string, ...rest: string[]) =>
      cli(
        ['diff', `examples/versioned/${module}`, 'ticket', '--from', '1', '--to', '2', ...rest],
        h,
      );
    const offline = await diff('module.ts', '--db', db, '--json');
    expect(offline.code, offline.err).toBe(0);
    expect(JSON.parse(offline.out).states).toEqual(
      expect.arrayContaining([expect.objectContaining({ state: 'assigned', live: 1 })]),
    );
    // Without the mapping the module declares, moving the instance in `assigned` is blocked.
    const unmapped = await diff('module-unmapped.ts', '--db', db);
    expect(unmapped.code).toBe(4);
    expect(unmapped.out).toMatch(/assigned\s+1\s+blocked/);
    // Without a store: the definitions only, live counts unknown.
    expect((await diff('module-unmapped.ts')).out).toMatch(/assigned\s+\?/);
  });
});

describe('stator migrate-instances', () => {
  it('dry-runs, then moves every live instance of a version, once, and reruns to nothing', async () => {
    const h = await onTwoVersions({ more: 30 });
    const dry = await cli(
      ['migrate-instances', 'ticket', '--from', '1', '--to', '2', '--dry-run'],
      h,
    );
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('would migrate 32, unchanged 0, failed 0');
    expect((await h.engine.versions('ticket'))[0]?.live.total).toBe(32);

    const run = await cli(
      ['migrate-instances', 'ticket', '--from', '1', '--to', '2', '--json', '--concurrency', '3'],
      h,
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(run.out)).toMatchObject({ migrated: 32, failed: 0 });
    const [v1, v2] = await h.engine.versions('ticket');
    expect(v1?.live.total).toBe(0);
    expect(v1?.retirable).toBe(true);
    expect(v2?.live.states).toMatchObject({ open: 16 });
    for (const id of ['t-busy', 't-0002', 't-0030']) {
      const { events } = await h.engine.history('ticket', id);
      expect(
        events.filter((e) => e.type === 'stator.migrated'),
        id,
      ).toHaveLength(1);
      expect((await h.engine.get('ticket', id)).value).toEqual({ inProgress: 'working' });
    }
    const again = await cli(['migrate-instances', 'ticket', '--from', '1', '--to', '2'], h);
    expect(again.out).toContain('migrated 0, unchanged 0, failed 0');
  });

  it('moves only a state and at most --limit, so a migration can go in steps', async () => {
    const h = await onTwoVersions({ more: 10 });
    const some = await cli(
      [
        'migrate-instances',
        'ticket',
        '--from',
        '1',
        '--to',
        '2',
        '--where',
        'state=open',
        '--limit',
        '3',
        '--batch',
        '2',
      ],
      h,
    );
    expect(some.out).toContain('migrated 3,');
    const [v1] = await h.engine.versions('ticket');
    expect(v1?.live.states).toMatchObject({ open: 3, assigned: 6 });
  });

  it('refuses versions that are not there before touching anything', async () => {
    const h = await onTwoVersions();
    const res = await cli(['migrate-instances', 'ticket', '--from', '1', '--to', '3'], h);
    expect(res.code).toBe(3);
    expect(res.err).toContain('Version "3" of ticket is not registered');
    expect((await cli(['migrate-instances', 'ticket', '--from', '1', '--to', '1'], h)).code).toBe(
      2,
    );
    const where = await cli(
      ['migrate-instances', 'ticket', '--from', '1', '--to', '2', '--where', 'age>1d'],
      h,
    );
    expect(where.code).toBe(2);
    expect(where.err).toContain('use --where state=<path>');
  });
});
