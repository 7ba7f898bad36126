import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo } from '../../examples/seed.js';
import { launchChromium } from './browser.js';
import { ROOT, type Served, serve } from './server.js';

/**
 * The inspector in a real browser against a real `stator serve` of the
 * example module on a temporary SQLite file: overview, an instance's chart,
 * sending an event from the generated form, and live updates from the watch
 * stream. Screenshots go to $STATOR_SCREENSHOTS (default: a temp dir).
 */

const SHOTS = process.env.STATOR_SCREENSHOTS ?? join(tmpdir(), 'stator-inspector-shots');

let server: ChildProcess | undefined;
let browser: Browser | undefined;
let url = '';
let dir = '';
const consoleErrors: string[] = [];

/**
 * Alone the file takes 10–15 s; beside the rest of `npm test` on a busy
 * 2-core machine one test has taken 18 s. Generous limits keep load from
 * failing it; a real hang still fails.
 */
const WAIT_MS = 45_000;
const TEST_MS = 90_000;

/** Newest modification time under a path (files only). */
function newest(path: string): number {
  const info = statSync(path);
  if (!info.isDirectory()) return info.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Builds web/dist when it is missing or older than its sources, so the test never runs a stale app. */
async function ensureBuilt(): Promise<void> {
  const web = join(ROOT, 'web');
  let built = 0;
  try {
    built = statSync(join(web, 'dist', 'index.html')).mtimeMs;
  } catch {
    built = 0;
  }
  const sources = Math.max(
    newest(join(web, 'src')),
    newest(join(web, 'public')),
    newest(join(web, 'index.html')),
    newest(join(web, 'vite.config.ts')),
  );
  if (built > sources) return;
  const { build } = await import('vite');
  const env = process.env.NODE_ENV;
  try {
    await build({ root: web, logLevel: 'warn' });
  } finally {
    // The Vite config forces NODE_ENV=production for a build; give vitest its own back.
    if (env === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = env;
  }
}

async function startServer(db: string): Promise<string> {
  const served = await serve('examples/module.ts', db);
  server = served.child;
  return served.url;
}

async function api(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${url}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  expect(res.ok, `${path}: ${res.status}`).toBe(true);
  return res.json();
}

async function newPage(scheme: 'light' | 'dark' = 'light'): Promise<Page> {
  if (!browser) throw new Error('no browser');
  const page = await browser.newPage({
    viewport: { width: 1360, height: 900 },
    colorScheme: scheme,
  });
  page.setDefaultTimeout(WAIT_MS);
  page.on('console', (m) => {
    // Errors (CSP violations among them), and React's note that only its development build prints.
    if (m.type() === 'error' || m.text().includes('React DevTools')) consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(e.message));
  return page;
}

/** Waits until an instance reached `value` (the seeded sagas run on after their create). */
async function settled(machine: string, id: string, value: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${url}/v1/machines/${machine}/instances/${id}`);
    const state = (await res.json()) as { value?: unknown };
    if (state.value === value) return;
    if (Date.now() > deadline) {
      throw new Error(`${machine}/${id} is still ${JSON.stringify(state.value)}, not ${value}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stator-e2e-'));
  mkdirSync(SHOTS, { recursive: true });
  const [base] = await Promise.all([startServer(join(dir, 'e2e.db')), ensureBuilt()]);
  url = base;
  [browser] = await Promise.all([launchChromium(), seedDemo(url)]);
  await api('/v1/machines/order/instances', { id: 'e2e-1', input: { total: 30 } });
  // The declined checkout ends in `failed` on its own, after the charge's retries: wait for it,
  // or a page loaded before then shows it in `compensating` until its next refresh (5 s).
  await settled('checkout', 'checkout-2003', 'failed');
}, 60_000);

afterAll(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server?.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
  console.log(`inspector screenshots: ${SHOTS}`);
});

describe('the inspector in a browser', { timeout: TEST_MS }, () => {
  it('shows every machine with counts per status and state', async () => {
    const page = await newPage();
    await page.goto(`${url}/`);
    const order = page.getByRole('region', { name: 'order' });
    /** The instance count in a state's row of a machine's table. */
    const count = (machine: string, state: RegExp) =>
      page
        .getByRole('region', { name: machine })
        .getByRole('row', { name: state })
        .getByRole('cell')
        .first()
        .textContent();
    await expect.poll(() => count('order', /^pending/)).toBe('4');
    await expect.poll(() => count('order', /^paid/)).toBe('4');
    await expect.poll(() => count('checkout', /^failed/)).toBe('1');
    await expect
      .poll(() => order.getByRole('list', { name: 'Instances by status' }).textContent())
      .toMatch(/13 instances/);
    // Lower the stuck threshold: the oldest active instances light up.
    await page.getByLabel('Stuck after').fill('1s');
    await order
      .getByRole('row', { name: /pending/ })
      .filter({ hasText: 'stuck' })
      .waitFor();
    // Rows cross the threshold one after another (their instances were seeded in turn).
    await expect
      .poll(() => order.locator('tr.stuck').count(), { timeout: 10_000 })
      .toBeGreaterThanOrEqual(3);
    // Each card carries its chart with the counts as heat.
    await order.locator('[data-state="order.paid.packed"].has-heat').waitFor();
    await shot(page, 'overview-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'overview-dark');
    await page.close();
  });

  it('opens an instance, sends an event from the form, and follows live transitions', async () => {
    const page = await newPage();
    await page.goto(`${url}/machines/order`);
    // The machine page: its chart with counts, and the instance list filtered by id prefix.
    await page.locator('[data-state="order.pending"]').waitFor();
    await page.getByLabel('Id starts with').fill('e2e');
    await page.getByRole('link', { name: 'e2e-1' }).click();

    // The instance: pending is highlighted on the chart; the stream is live.
    await page.waitForURL(/\/machines\/order\/instances\/e2e-1$/);
    await page.locator('[data-state="order.pending"][data-active]').waitFor();
    expect(await page.locator('[data-state="order.paid"][data-active]').count()).toBe(0);
    await page.getByRole('status').filter({ hasText: 'live' }).waitFor();

    // The form offers what pending accepts first (Pay), with the schema's amount field.
    const type = page.getByLabel('Event type');
    expect(await type.inputValue()).toBe('Pay');
    await page.getByLabel(/amount/).fill('0');
    await page.getByRole('button', { name: 'Send Pay' }).click();
    await page.getByText('more than 0').waitFor();
    await page.getByLabel(/amount/).fill('30');
    await page.getByRole('button', { name: 'Send Pay' }).click();
    await page.locator('[data-state="order.paid.awaitingPacking"][data-active]').waitFor();
    await page.locator('[data-seq="2"]').filter({ hasText: 'Pay' }).waitFor();
    expect(await page.getByTestId('instance-state').textContent()).toBe('paid.awaitingPacking');
    expect(await type.inputValue()).toBe('Pack');

    // Someone else sends Pack: the watch stream moves the chart and the timeline.
    await api('/v1/machines/order/instances/e2e-1/events', { type: 'Pack' });
    await page.locator('[data-state="order.paid.packed"][data-active]').waitFor();
    await page.locator('[data-seq="3"]').filter({ hasText: '→ paid.packed' }).waitFor();
    expect(
      await page.locator('[data-state="order.paid.awaitingPacking"][data-active]').count(),
    ).toBe(0);
    await page.getByRole('button', { name: /^3\s*Pack/ }).click();
    await page.getByRole('region', { name: 'Time travel' }).getByText('Live').first().waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'instance-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'instance-dark');
    await page.close();
  });

  it('time-travels through the history: chart, context and timers as they were after each event', async () => {
    // A Pay the packed order does not accept: refused, recorded in the audit log only.
    const refused = await fetch(`${url}/v1/machines/order/instances/e2e-1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'Pay' }),
    });
    expect(refused.status).toBe(409);
    const page = await newPage();
    await page.goto(`${url}/machines/order/instances/e2e-1`);
    await page.locator('[data-state="order.paid.packed"][data-active]').waitFor();
    const travel = page.getByRole('region', { name: 'Time travel' });
    // The refusal sits in the timeline in its place, with its reason.
    await page
      .locator('[data-audit="rejected_invalid"]')
      .filter({ hasText: 'Pay' })
      .filter({ hasText: 'rejected: not accepted' })
      .waitFor();
    // One step back with the button: the state after Pay (event 2).
    await travel.getByRole('button', { name: /Previous/ }).click();
    await travel.getByText(/after event 2 of 3/).waitFor();
    await page.locator('[data-state="order.paid.awaitingPacking"][data-active]').waitFor();
    expect(await page.locator('[data-state="order.paid.packed"][data-active]').count()).toBe(0);
    await expect
      .poll(() => page.getByTestId('instance-state').textContent())
      .toBe('paid.awaitingPacking');
    await page.locator('.timeline-row.selected[data-seq="2"]').waitFor();
    // The form pauses while looking at the past, and says why.
    expect(await page.getByRole('button', { name: /^Send/ }).isDisabled()).toBe(true);
    await page.getByText(/looking at the past/).waitFor();
    // With the keyboard ([): the creation, with its 48-hour payment window pending and nothing paid.
    await page.locator('body').press('[');
    await travel.getByText(/after event 1 of 3/).waitFor();
    await page.locator('[data-state="order.pending"][data-active]').waitFor();
    await page
      .getByRole('list', { name: 'Pending timers' })
      .getByText(/due in (2d 0h|47h)/)
      .waitFor();
    await expect
      .poll(() => page.getByRole('region', { name: /Context/ }).textContent())
      .toMatch(/paid:?\s*0/);
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'time-travel-light');
    await page.emulateMedia({ colorScheme: 'dark' });
    await shot(page, 'time-travel-dark');
    await page.emulateMedia({ colorScheme: 'light' });
    // ] twice, then live again: packed, and the form is back.
    await page.locator('body').press(']');
    await travel.getByText(/after event 2 of 3/).waitFor();
    await travel.getByRole('button', { name: 'Live' }).click();
    await travel.getByText(/Live: after event 3/).waitFor();
    await page.locator('[data-state="order.paid.packed"][data-active]').waitFor();
    expect(await page.getByRole('button', { name: /^Send/ }).isDisabled()).toBe(false);
    await page.close();
  });

  it('bulk-sends an event to the filtered selection after a confirmation, with progress', async () => {
    const page = await newPage();
    await page.goto(`${url}/machines/order?state=paid.awaitingPacking`);
    const list = page.getByRole('list', { name: 'Instances of order' });
    await expect.poll(() => list.getByRole('listitem').count()).toBe(2);
    await page.getByLabel('Event type', { exact: true }).last().waitFor();
    await page.locator('#bulk-type').selectOption('Pack');
    await page
      .getByRole('button', { name: /^Send Pack to all active in paid\.awaitingPacking/ })
      .click();
    await page
      .getByRole('alertdialog')
      .getByText(/every active in paid\.awaitingPacking instance/)
      .waitFor();
    await page.getByRole('button', { name: 'Yes, send' }).click();
    await page.getByText('Done: 2 instances handled, 2 sent, 0 already done, 0 failed.').waitFor();
    const packed = (await api('/v1/machines/order/instances?state=paid.awaitingPacking')) as {
      instances: unknown[];
    };
    expect(packed.instances).toEqual([]);
    await page.close();
  });

  it('loads without console errors (no CSP violations) and runs the production build', () => {
    expect(consoleErrors).toEqual([]);
  });
});

describe('versions and migrating a selection', { timeout: TEST_MS }, () => {
  let versioned: Served | undefined;
  let base = '';
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(res.ok, `${path}: ${res.status}`).toBe(true);
  };

  beforeAll(async () => {
    // Tickets made while only version 1 existed, then the server restarted with version 2.
    const db = join(dir, 'versioned.db');
    const old = await serve('examples/versioned/module-v1.ts', db);
    base = old.url;
    for (const id of ['t-1', 't-2', 't-3']) {
      await post('/v1/machines/ticket/instances', { id, input: { title: id } });
    }
    await post('/v1/machines/ticket/instances/t-2/events', { type: 'Assign', to: 'ann' });
    await old.stop();
    versioned = await serve('examples/versioned/module.ts', db);
    base = versioned.url;
    await post('/v1/machines/ticket/instances', { id: 't-new', input: { title: 'new' } });
  }, 60_000);

  afterAll(async () => {
    await versioned?.stop();
  });

  it('shows live counts per version, filters by version, and migrates selected instances after a dry run', async () => {
    const errorsBefore = consoleErrors.length;
    const page = await newPage();
    await page.goto(`${base}/`);
    const card = page.getByRole('region', { name: 'ticket' });
    await card
      .getByRole('list', { name: 'Live instances by version' })
      .getByText(/v1: 3 live/)
      .waitFor();
    await card.getByText(/v2 \(newest\): 1 live/).waitFor();
    await page.goto(`${base}/machines/ticket`);
    const versions = page.getByRole('region', { name: 'Versions' });
    await versions.getByRole('row', { name: /^1\s+3/ }).waitFor();
    // Only version 1's instances, then select two of them.
    await page.getByLabel('Version', { exact: true }).selectOption('1');
    const list = page.getByRole('list', { name: 'Instances of ticket' });
    await list.getByRole('link', { name: 't-3' }).waitFor();
    expect(await list.getByRole('link', { name: 't-new' }).count()).toBe(0);
    await page.getByLabel('Select t-1').check();
    await page.getByLabel('Select t-2').check();
    await page.getByRole('button', { name: 'Dry run (2 selected)' }).click();
    const results = page.getByRole('list', { name: 'Migration results' });
    await results.getByText(/t-2.*1 → 2, inProgress\.working/).waitFor();
    // Nothing moved yet.
    expect(
      (
        (await (await fetch(`${base}/v1/machines/ticket/instances/t-2`)).json()) as {
          version: string;
        }
      ).version,
    ).toBe('1');
    await page.getByRole('button', { name: 'Migrate 2 instances…' }).click();
    await page
      .getByRole('alertdialog')
      .getByText(/Move 2 instances of ticket to version 2/)
      .waitFor();
    await page.locator('[data-state="ticket.open"]').waitFor();
    await page.evaluate('window.scrollTo(0, 0)');
    await shot(page, 'migrate-light');
    await page.getByRole('button', { name: 'Yes, migrate' }).click();
    await page.getByText(/Migrated: 2 of 2/).waitFor();
    const t2 = (await (await fetch(`${base}/v1/machines/ticket/instances/t-2`)).json()) as {
      version: string;
      value: unknown;
    };
    expect(t2).toMatchObject({ version: '2', value: { inProgress: 'working' } });
    await versions.getByRole('row', { name: /^2\s+3/ }).waitFor();

    // Time travel crosses the migration: after event 2 it was version 1, assigned.
    await page.goto(`${base}/machines/ticket/instances/t-2`);
    const travel = page.getByRole('region', { name: 'Time travel' });
    await travel.getByText(/Live: after event 3/).waitFor();
    await travel.getByRole('button', { name: /Previous/ }).click();
    await travel.getByText(/after event 2 of 3/).waitFor();
    await expect.poll(() => page.getByTestId('instance-state').textContent()).toBe('assigned');
    // Drawn on version 1's chart, which has `assigned`.
    await page.locator('[data-state="ticket.assigned"][data-active]').waitFor();
    await page.close();
    expect(consoleErrors.slice(errorsBefore)).toEqual([]);
  });
});

describe('dead letters', { timeout: 120_000 }, () => {
  let mail: Served | undefined;
  const dead = async (): Promise<{ ref: string; id: string }[]> =>
    (
      (await (await fetch(`${mail?.url}/v1/dead-letters`)).json()) as {
        deadLetters: { ref: string; id: string }[];
      }
    ).deadLetters;

  beforeAll(async () => {
    mail = await serve('web/e2e/fixtures/mailer-module.ts', join(dir, 'mailer.db'));
    for (const id of ['m-1', 'm-2']) {
      for (const [path, body] of [
        ['/v1/machines/mailer/instances', { id }],
        [`/v1/machines/mailer/instances/${id}/events`, { type: 'Mail' }],
      ] as const) {
        const res = await fetch(`${mail.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        expect(res.ok).toBe(true);
      }
    }
  }, 60_000);

  afterAll(async () => {
    await mail?.stop();
  });

  it('lists dead letters with their error, retries one and discards another after confirming', async () => {
    // Five attempts with backoff: about 15 s until both are dead letters.
    await expect
      .poll(async () => (await dead()).length, { timeout: 60_000, interval: 1000 })
      .toBe(2);
    const errorsBefore = consoleErrors.length;
    const page = await newPage();
    await page.goto(`${mail?.url}/`);
    const letters = page.getByRole('list', { name: 'Dead letters' });
    await letters.getByText('mail server down').first().waitFor();
    expect(await letters.getByRole('listitem').count()).toBe(2);
    await page.locator('[data-state="mailer.idle"]').waitFor();
    await shot(page, 'dead-letters-light');
    await page.getByRole('button', { name: 'Retry action notify of mailer/m-1' }).click();
    const last = page.getByRole('status', { name: 'Last action' });
    await last.filter({ hasText: 'action notify of mailer/m-1 retried: back in line' }).waitFor();
    await page.getByRole('button', { name: 'Discard action notify of mailer/m-2' }).click();
    await page.getByRole('button', { name: 'Yes, discard' }).click();
    await last.filter({ hasText: 'action notify of mailer/m-2 discarded' }).waitFor();
    // m-2's letter is gone for good; m-1's is back in line (and fails again later).
    expect((await dead()).map((d) => d.id)).not.toContain('m-2');
    await page.close();
    expect(consoleErrors.slice(errorsBefore)).toEqual([]);
  });
});
