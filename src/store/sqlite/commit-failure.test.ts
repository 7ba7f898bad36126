import { describe, expect, it } from 'vitest';
import { sqliteCommitFailure } from './commit-failure.js';

const err = (code?: string) => Object.assign(new Error('x'), code === undefined ? {} : { code });

describe('what a failed SQLite commit left behind', () => {
  it('nothing, and retrying fails again, when the data broke a constraint or the store threw', () => {
    for (const cause of [err('SQLITE_CONSTRAINT_PRIMARYKEY'), err('SQLITE_TOOBIG'), err()]) {
      expect(sqliteCommitFailure(cause)).toEqual({ outcome: 'not-committed', transient: false });
    }
  });

  it('nothing, and a retry may succeed, when the file was locked or full', () => {
    for (const code of ['SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_FULL', 'SQLITE_READONLY']) {
      expect(sqliteCommitFailure(err(code))).toEqual({ outcome: 'not-committed', transient: true });
    }
  });

  it('unknown after an I/O error or corruption in the middle of the commit', () => {
    for (const code of ['SQLITE_IOERR_WRITE', 'SQLITE_IOERR_FSYNC', 'SQLITE_CORRUPT']) {
      expect(sqliteCommitFailure(err(code))).toEqual({ outcome: 'unknown', transient: true });
    }
  });
});
