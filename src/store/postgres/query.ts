import pg from 'pg';

/**
 * BIGINT (int8) columns (seq, positions, attempts) as JavaScript numbers: every
 * value Stator stores is a safe integer. Applied per query, so a `pg.Pool`
 * handed in by the caller keeps its own global type parsers.
 */
const INT8 = 20;
const parseInt8 = (text: string): number => Number(text);
export const TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === INT8
      ? parseInt8
      : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

/** Something that runs queries: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** A SQL statement, prepared once per connection under `name`. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

/** Run a prepared statement and return its rows (int8 as numbers). */
export async function run<R extends pg.QueryResultRow>(
  db: Queryable,
  statement: Statement,
  values: readonly unknown[],
): Promise<{ rows: R[]; rowCount: number }> {
  const result = await (db as pg.Pool).query<R>({
    name: statement.name,
    text: statement.text,
    values: values as unknown[],
    types: TYPES,
  });
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}
