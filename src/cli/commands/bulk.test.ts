import { describe, expect, it } from 'vitest';
import { operatorHarness } from '../../server/test-support/operator-harness.js';
import { runCli } from '../program.js';
import { captureIo } from '../test-support/io.js';

type Harness = Awaited<ReturnType<typeof operatorHarness>>;

async function cli(argv: string[], h: Harness) {
  const io = captureIo({ app: h.app });
  const code = await runCli(argv, io);
  return { code, out: io.out(), err: io.err() };
}

describe('stator bulk-send', () => {
  it('sends to every selected instance page by page, with progress and a summary, and resumes without doubles', async () => {
    const h = await operatorHarness();
    for (const id of ['o1', 'o2', 'o3', 'o4', 'o5']) {
      await h.t.engine.create('order', id, { input: { total: 5 } });
    }
    await h.t.engine.send('order', 'o5', { type: 'Cancel' });
    const args = ['bulk-send', 'order', 'Pay', '--state', 'pending', '--page', '2'];
    const run = await cli([...args, '--operation', 'pay-1'], h);
    expect(run.code).toBe(0);
    expect(run.out).toBe(
      'pay-1: 4 instances, 4 sent, 0 already sent by this operation, 0 failed\n',
    );
    expect(run.err).toContain('… 2 instances: 2 sent, 0 already, 0 failed');
    expect(run.err).toContain('… 4 instances: 4 sent, 0 already, 0 failed');
    const again = await cli(
      ['bulk-send', 'order', 'Pay', '--status', 'active', '--operation', 'pay-1', '--json'],
      h,
    );
    expect(JSON.parse(again.out)).toMatchObject({ processed: 4, sent: 0, duplicates: 4 });
  });

  it('prints the operation id it made, lists failures, and refuses bad flags', async () => {
    const h = await operatorHarness();
    await h.t.engine.create('order', 'o1', { input: { total: 5 } });
    const r = await cli(['bulk-send', 'order', 'Pack', '--data', '{}'], h);
    expect(r.err).toMatch(/operation bulk-[0-9a-f-]{36} \(rerun with --operation/);
    expect(r.out).toContain('1 failed');
    expect(r.out).toContain('o1: [EVENT_NOT_ACCEPTED]');
    expect((await cli(['bulk-send', 'order', 'Pay', '--data', '[1]'], h)).code).toBe(2);
    expect((await cli(['bulk-send', 'order', 'Pay', '--older-than', 'x'], h)).code).toBe(2);
    expect((await cli(['bulk-send', 'order', 'Pay', '--status', 'x'], h)).code).toBe(2);
  });
});
