import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import * as versioned from '../../../examples/versioned/module.js';
import { sqliteStore } from '../../sqlite.js';
import { type HarnessOptions, harness } from './harness.js';

export const TICKETS = '/v1/machines/ticket/instances';
export const MODULE = { exports: versioned, source: 'examples/versioned/module.ts' };

/**
 * Tickets created while only version 1 ran (a rollout sends every new one to
 * it), then the versioned module served over the same store.
 */
export async function onTwoVersions(
  options: HarnessOptions & { path?: string; more?: number } = {},
) {
  const path = options.path ?? tempDb();
  const before = await harness({
    store: sqliteStore({ path }),
    module: { exports: { ...versioned, rollout: { ticket: { '1': 1 } } }, source: MODULE.source },
  });
  await before.call('POST', TICKETS, { id: 't-open', input: { title: 'printer' } });
  await before.call('POST', TICKETS, { id: 't-busy', input: { title: 'vpn' } });
  await before.call('POST', `${TICKETS}/t-busy/events`, { type: 'Assign', to: 'ann' });
  for (let i = 1; i <= (options.more ?? 0); i++) {
    const id = `t-${String(i).padStart(4, '0')}`;
    await before.call('POST', TICKETS, { id, input: { title: `ticket ${i}` } });
    if (i % 2 === 0)
      await before.call('POST', `${TICKETS}/${id}/events`, { type: 'Assign', to: 'bo' });
  }
  await before.engine.close();
  const { path: _path, more: _more, ...rest } = options;
  return harness({ ...rest, store: sqliteStore({ path }), module: MODULE });
}

export function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stator-versions-http-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'stator.db');
}
