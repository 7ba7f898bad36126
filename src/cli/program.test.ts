import { describe, expect, it } from 'vitest';
import { harness } from '../server/test-support/harness.js';
import { runCli } from './program.js';
import { captureIo } from './test-support/io.js';

const COMMANDS = [
  'serve',
  'create',
  'send',
  'get',
  'history',
  'ls',
  'watch',
  'graph',
  'keys',
  'keys create',
  'keys list',
  'keys revoke',
  'db',
  'db migrate',
  'audit',
  'pending',
  'stop',
  'retry-effect',
  'dead-letters',
  'dead-letters ls',
  'dead-letters show',
  'dead-letters retry',
  'dead-letters discard',
  'emits',
  'emits ack',
  'stuck',
  'bulk-send',
  'versions',
  'diff',
  'shadow',
  'migrate-instances',
];

async function cli(argv: string[], h?: Awaited<ReturnType<typeof harness>>) {
  const io = captureIo(h ? { app: h.app } : {});
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('stator CLI against a server', () => {
  it('creates, sends Pay, gets, lists, reads history and draws the graph (human output)', async () => {
    const h = await harness();
    expect(await cli(['create', 'order', 'o-1', '--input', '{"total":40}'], h)).toMatchObject({
      code: 0,
      out: expect.stringContaining('created order/o-1 v1 pending (active) seq 1'),
    });
    expect(await cli(['send', 'order', 'o-1', 'Pay', '--data', '{"amount":40}'], h)).toMatchObject({
      code: 0,
      out: expect.stringContaining('paid.awaitingPacking'),
    });
    expect((await cli(['get', 'order', 'o-1'], h)).out).toContain('seq 2');
    expect((await cli(['ls', 'order', '--state', 'paid'], h)).out).toMatch(
      /o-1\s+paid\.awaitingPacking\s+active\s+2/,
    );
    expect((await cli(['history', 'order', 'o-1'], h)).out).toMatch(/2\s+Pay/);
    expect((await cli(['graph', 'order'], h)).out).toContain(
      'order_pending --> order_paid : Pay [paidInFull]',
    );
  });

  it('prints JSON with --json', async () => {
    const h = await harness();
    const created = await cli(['create', 'order', 'o-1', '--input', '{"total":40}', '--json'], h);
    expect(JSON.parse(created.out)).toMatchObject({ id: 'o-1', seq: 1 });
    await cli(['send', 'order', 'o-1', 'Pay'], h);
    const history = JSON.parse(
      (await cli(['history', 'order', 'o-1', '--json', '--all', '--limit', '1'], h)).out,
    );
    expect(history.events.map((e: { type: string }) => e.type)).toEqual(['xstate.init', 'Pay']);
    const listed = JSON.parse(
      (await cli(['ls', 'order', '--json', '--status', 'active', '--min-time-in-state', '0s'], h))
        .out,
    );
    expect(listed.instances).toHaveLength(1);
  });

  it('watches: prints history then stops after --count', async () => {
    const h = await harness();
    await cli(['create', 'order', 'o-1', '--input', '{"total":40}'], h);
    await cli(['send', 'order', 'o-1', 'Pay'], h);
    const watched = await cli(['watch', 'order', 'o-1', '--count', '2', '--json'], h);
    expect(
      watched.out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).event.seq),
    ).toEqual([1, 2]);
    const human = await cli(['watch', 'order', 'o-1', '--count', '1', '--last-event-id', '1'], h);
    expect(human.out).toBe('#2 Pay by anonymous\n');
  });

  it.each([
    [['get', 'order', 'nope'], 3, 'INSTANCE_NOT_FOUND'],
    [['send', 'order', 'o-1', 'Deliver'], 4, 'EVENT_NOT_ACCEPTED'],
    [['send', 'order', 'o-1', 'Pay', '--data', '{"amount":"x"}'], 2, 'VALIDATION_FAILED'],
    [['send', 'order', 'o-1', 'Pay', '--data', '{oops'], 2, 'USAGE'],
    [['create', 'ghost', 'x'], 3, 'MACHINE_NOT_FOUND'],
  ])('%j exits %i with [%s]', async (argv, exit, code) => {
    const h = await harness();
    await cli(['create', 'order', 'o-1', '--input', '{"total":40}'], h);
    const r = await cli(argv, h);
    expect(r.code).toBe(exit);
    expect(r.err).toContain(`error [${code}]`);
    const json = await cli([...argv, '--json'], h);
    expect(JSON.parse(json.err)).toMatchObject({ error: { code } });
  });

  it('sends events in bulk from an NDJSON file and reports failures per line', async () => {
    const { mkdtemp, writeFile } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const h = await harness();
    for (const id of ['a', 'b']) await cli(['create', 'order', id, '--input', '{"total":1}'], h);
    const file = join(await mkdtemp(join(tmpdir(), 'stator-bulk-')), 'events.ndjson');
    await writeFile(
      file,
      [
        '{"id":"a","event":{"type":"Pay"}}',
        '{"id":"b","event":{"type":"Pay"}}',
        '',
        '{"id":"zz","event":{"type":"Pay"}}',
      ].join('\n'),
    );
    const r = await cli(['send', 'order', '--file', file, '--json'], h);
    expect(JSON.parse(r.out)).toMatchObject({
      sent: 2,
      failed: 1,
      failures: [{ line: 4, id: 'zz', code: 'INSTANCE_NOT_FOUND' }],
    });
    expect(r.code).toBe(3);
  });
});

describe('stator CLI usage', () => {
  it.each(COMMANDS)('`%s --help` prints usage and exits 0', async (command) => {
    const r = await cli([...command.split(' '), '--help']);
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: stator');
  });

  it('exits 2 on unknown commands, missing arguments and bad flags', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['get', 'order'])).code).toBe(2);
    expect((await cli(['send', 'order', 'o-1'])).code).toBe(2);
    expect((await cli(['ls', 'order', '--limit', 'lots'])).code).toBe(2);
  });

  it('exits 8 with advice when the server cannot be reached', async () => {
    const r = await cli(['get', 'order', 'o-1', '--url', 'http://127.0.0.1:1']);
    expect(r.code).toBe(8);
    expect(r.err).toContain(
      'error [UNREACHABLE]: Cannot reach the Stator server at http://127.0.0.1:1',
    );
  });

  it('draws the graph from a module file without a server', async () => {
    const r = await cli(['graph', 'order', '--module', 'examples/module.ts']);
    expect(r).toMatchObject({ code: 0, out: expect.stringMatching(/^stateDiagram-v2\n/) });
    expect((await cli(['graph', 'nope', '--module', 'examples/module.ts'])).code).toBe(3);
  });
});
