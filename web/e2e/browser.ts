import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`); override with STATOR_CHROMIUM. */
export const CHROMIUM = process.env.STATOR_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Headless Chromium with nothing that phones home (no sync, component
 * updates or background networking). Playwright gives every launch a fresh
 * temporary user-data-dir and deletes it on close.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}
