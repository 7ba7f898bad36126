import { CliError } from './exit-codes.js';

const UNITS: Readonly<Record<string, number>> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** `1500`, `500ms`, `30s`, `5m`, `2h`, `1d` → milliseconds. */
export function parseDuration(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)?$/.exec(text.trim());
  if (!match) {
    throw new CliError(
      'USAGE',
      `${flag} ${JSON.stringify(text)} is not a duration; use 1500, 500ms, 30s, 5m, 2h or 1d.`,
    );
  }
  return Math.round(Number(match[1]) * (UNITS[match[2] ?? 'ms'] ?? 1));
}

/** A positive integer flag value. */
export function parseCount(text: string, flag: string, min = 1): number {
  if (!/^\d{1,9}$/.test(text) || Number(text) < min) {
    throw new CliError(
      'USAGE',
      `${flag} must be an integer of at least ${min}; got ${JSON.stringify(text)}.`,
    );
  }
  return Number(text);
}

/** A JSON flag value. */
export function parseJsonFlag(text: string, flag: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError(
      'USAGE',
      `${flag} is not valid JSON (${(error as Error).message}). Quote it for the shell: ${flag} '{"total":40}'.`,
    );
  }
}
