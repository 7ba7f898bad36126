import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import Database from 'better-sqlite3';
import { StatorError } from '../../core/errors.js';

/**
 * Holds a SQLite database file for one store: an exclusive lock on a side file
 * (`<path>.lock`, a small SQLite database kept in an open EXCLUSIVE
 * transaction), so a second store on the same file — in another process or
 * this one — is refused at open. The operating system drops the lock when the
 * process dies, so a crash never leaves the file held. Who holds it is written
 * beside it (`<path>.lock.owner`) for the refusal's message.
 */
export class FileLock {
  readonly #db: Database.Database;
  readonly #ownerFile: string;

  private constructor(db: Database.Database, ownerFile: string) {
    this.#db = db;
    this.#ownerFile = ownerFile;
  }

  static acquire(path: string): FileLock {
    const lockPath = `${path}.lock`;
    const ownerFile = `${lockPath}.owner`;
    const db = new Database(lockPath, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.exec('BEGIN EXCLUSIVE');
    } catch (error) {
      db.close();
      if ((error as { code?: unknown }).code !== 'SQLITE_BUSY') throw error;
      throw new StatorError(
        'CONFIG_INVALID',
        `The SQLite file ${path} is already in use by another Stator store (${ownerOf(ownerFile)}). One SQLite file is served by one process: stop the other one, or use PostgreSQL (--db postgres://…) to run several processes on one database.`,
        { path },
      );
    }
    writeFileSync(
      ownerFile,
      `pid ${process.pid} on ${hostname()} since ${new Date().toISOString()}\n`,
    );
    return new FileLock(db, ownerFile);
  }

  release(): void {
    rmSync(this.#ownerFile, { force: true });
    this.#db.close();
  }
}

function ownerOf(ownerFile: string): string {
  try {
    return readFileSync(ownerFile, 'utf8').trim();
  } catch {
    return 'owner unknown';
  }
}
