import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { orderMachine } from '../../examples/order.js';
import { loadModule, normalizeModule } from './module.js';

describe('normalizeModule', () => {
  it('accepts machines and registrations, and merges module schemas into them', () => {
    const pay = z.object({ amount: z.number() });
    const mod = normalizeModule({
      machines: [{ machine: orderMachine, version: '2' }],
      schemas: { order: { events: { Pay: pay } } },
      activities: { charge: { retries: 3 } },
    });
    expect(mod.registrations[0]).toMatchObject({ version: '2', schemas: { events: { Pay: pay } } });
    expect(mod.registrations[0]?.schemas?.events?.Pay).toBe(pay);
    expect(mod.activities).toEqual({ charge: { retries: 3 } });
  });

  it("keeps a registration's unacceptedEvents opt-in to XState's ignore semantics", () => {
    const mod = normalizeModule({
      machines: [{ machine: orderMachine, unacceptedEvents: 'ignore' }],
    });
    expect(mod.registrations[0]).toMatchObject({ unacceptedEvents: 'ignore' });
  });

  it.each([
    ['no machines', {}, 'exports no machines'],
    ['a non-machine', { machines: [42] }, 'neither a machine'],
    [
      'a policy for an unknown machine',
      { machines: [orderMachine], policies: { ordr: {} } },
      'machine "ordr"',
    ],
    [
      'a policy for an unknown event',
      { machines: [orderMachine], policies: { order: { events: { Pya: {} } } } },
      'Pya',
    ],
    [
      'an unknown unacceptedEvents setting',
      { machines: [{ machine: orderMachine, unacceptedEvents: 'skip' }] },
      'unacceptedEvents "skip": use \'reject\'',
    ],
    [
      'a schema for an unknown event',
      { machines: [orderMachine], schemas: { order: { events: { Refund: z.object({}) } } } },
      'Refund',
    ],
  ])('refuses %s with CONFIG_INVALID', (_, candidate, says) => {
    expect(() => normalizeModule(candidate)).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringContaining(says) }),
    );
  });
});

describe('loadModule', () => {
  it('loads the example TypeScript module', async () => {
    const mod = await loadModule('examples/module.ts');
    expect(mod.registrations.map((r) => r.machine.id)).toEqual(['order', 'checkout']);
    expect(mod.activities).toMatchObject({ chargeCard: { maxAttempts: 3 } });
    const order = mod.registrations.find((r) => r.machine.id === 'order');
    expect(Object.keys(order?.schemas?.events ?? {})).toContain('Pay');
    expect(mod.policies.order?.events?.Pay?.roles).toEqual(['customer', 'admin']);
  });

  it('loads a plain .mjs module with a default export', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'stator-module-'));
    const file = join(dir, 'machines.mjs');
    const xstate = import.meta.resolve('xstate');
    await writeFile(
      file,
      `import { createMachine } from ${JSON.stringify(xstate)};\nexport default { machines: [createMachine({ id: 'light', initial: 'red', states: { red: { on: { Go: 'green' } }, green: {} } })] };\n`,
    );
    const mod = await loadModule(file);
    expect(mod.registrations[0]?.machine.id).toBe('light');
  });

  it('reports a missing file as CONFIG_INVALID', async () => {
    await expect(loadModule('examples/nope.ts')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
  });
});
