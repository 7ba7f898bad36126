import type pg from 'pg';
import { isStatorError } from '../../core/errors.js';
import { storeErrors } from '../store-errors.js';
import { run, type Statement } from './query.js';
import type { Statements } from './statements.js';

export const STORE = 'postgres';

/** What an open store works with. */
export interface Connection {
  readonly pool: pg.Pool;
  readonly sql: Statements;
}

/**
 * Runs the store's statements once it is open: every call first checks that
 * the store is open (STORE_ERROR "not open" / "closed" otherwise, before its
 * arguments), and reports driver failures as STORE_ERROR naming the operation.
 */
export class Runner {
  #connection: Connection | 'new' | 'closed' = 'new';

  get state(): 'new' | 'open' | 'closed' {
    return typeof this.#connection === 'object' ? 'open' : this.#connection;
  }

  attach(connection: Connection): void {
    this.#connection = connection;
  }

  close(): void {
    this.#connection = 'closed';
  }

  use(): Connection {
    const connection = this.#connection;
    if (typeof connection === 'object') return connection;
    throw connection === 'new' ? storeErrors.notOpen(STORE) : storeErrors.closed(STORE);
  }

  /** Argument checks, after the open check, as in the other adapters. */
  check<T>(check: () => T): T {
    this.use();
    return check();
  }

  async rows(operation: string, name: keyof Statements, values: readonly unknown[]) {
    const { pool, sql } = this.use();
    return (await this.#try(operation, () => run(pool, sql[name], values))).rows;
  }

  async count(operation: string, name: keyof Statements, values: readonly unknown[]) {
    const { pool, sql } = this.use();
    return (await this.#try(operation, () => run(pool, sql[name], values))).rowCount;
  }

  /** A statement built on the fly (listing instances). */
  async adHoc(operation: string, statement: Statement, values: readonly unknown[]) {
    const { pool } = this.use();
    return (await this.#try(operation, () => run(pool, statement, values))).rows;
  }

  async #try<T>(operation: string, go: () => Promise<T>): Promise<T> {
    try {
      return await go();
    } catch (cause) {
      throw isStatorError(cause) ? cause : storeErrors.failed(STORE, operation, cause);
    }
  }
}
