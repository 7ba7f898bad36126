import { errors } from '../core/errors.js';

const UNITS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * A duration in milliseconds from a number or text like `500ms`, `30s`, `30m`,
 * `48h`, `2d`, `1h30m`.
 */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else {
    const parts = [...value.trim().matchAll(/(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)/g)];
    const joined = parts.map((p) => p[0]).join('');
    if (parts.length > 0 && joined === value.replace(/\s+/g, '')) {
      return parts.reduce((sum, p) => sum + Number(p[1]) * (UNITS[p[2] as string] ?? 0), 0);
    }
  }
  throw errors.validation(
    `Invalid duration ${JSON.stringify(value)}: use milliseconds or text like 500ms, 30s, 30m, 48h, 2d, 1h30m.`,
  );
}
