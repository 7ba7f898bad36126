import { describe, expect, it } from 'vitest';
import { postgresCommitFailure } from './commit-failure.js';

/** A socket error (a code only); `sql` an error the server sent (it has a severity). */
const err = (code?: string) => Object.assign(new Error('x'), code === undefined ? {} : { code });
const sql = (code: string) => Object.assign(err(code), { severity: 'ERROR' });

describe('what a failed PostgreSQL commit left behind', () => {
  it('nothing, when no connection could be had: the commit was never sent', () => {
    expect(postgresCommitFailure(err('ECONNREFUSED'), false)).toEqual({
      outcome: 'not-committed',
      transient: true,
    });
  });

  it('unknown, when the connection broke after the commit was sent', () => {
    for (const cause of [err(), err('ECONNRESET'), err('EPIPE'), sql('08006'), sql('57P01')]) {
      expect(postgresCommitFailure(cause, true)).toEqual({ outcome: 'unknown', transient: true });
    }
  });

  it('nothing, when the server reported an error for the statement: it rolled back', () => {
    expect(postgresCommitFailure(sql('23505'), true)).toEqual({
      outcome: 'not-committed',
      transient: false,
    });
    for (const code of ['40001', '40P01', '53100', '55P03', '57014']) {
      expect(postgresCommitFailure(sql(code), true)).toEqual({
        outcome: 'not-committed',
        transient: true,
      });
    }
  });
});
