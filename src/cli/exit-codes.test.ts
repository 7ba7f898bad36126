import { describe, expect, it } from 'vitest';
import { ERROR_CODES, StatorError } from '../core/errors.js';
import { parseCount, parseDuration } from './durations.js';
import { CliError, EXIT_CODES, exitCodeOf } from './exit-codes.js';

describe('exit codes', () => {
  it('maps every error code, once', () => {
    for (const code of ERROR_CODES) expect(EXIT_CODES[code], code).toBeGreaterThan(0);
    expect(exitCodeOf(new StatorError('INSTANCE_NOT_FOUND', 'x'))).toBe(3);
    expect(exitCodeOf(new StatorError('EVENT_NOT_ACCEPTED', 'x'))).toBe(4);
    expect(exitCodeOf(new StatorError('EVENT_UNKNOWN', 'x'))).toBe(2); // fix the command
    expect(exitCodeOf(new CliError('UNREACHABLE', 'x'))).toBe(8);
    expect(exitCodeOf(new TypeError('bug'))).toBe(1);
  });
});

describe('flag parsing', () => {
  it.each([
    ['1500', 1500],
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['2h', 7_200_000],
    ['1.5d', 129_600_000],
  ])('parseDuration(%s) = %i', (text, ms) => expect(parseDuration(text, '--x')).toBe(ms));

  it('refuses bad durations and counts as USAGE', () => {
    expect(() => parseDuration('soon', '--x')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(() => parseCount('0', '--limit')).toThrow(expect.objectContaining({ code: 'USAGE' }));
    expect(parseCount('0', '--after', 0)).toBe(0);
  });
});
