import type Database from 'better-sqlite3';
import { type InstanceQueryBounds, idPrefixEnd } from '../query.js';
import { INSTANCE_COLUMNS } from '../sql/columns.js';
import type { InstanceRecord } from '../sql/rows.js';

/**
 * `listInstances` as SQL. The statement depends on which filters are set (at
 * most 64 shapes), so each shape is prepared once and cached.
 *
 * The state filter `q` matches an instance when one of the paths in its
 * state_key is `q` or starts with `q.`. Two branches find them:
 *
 * - a range scan of `stator_instances_by_state` over [q, q + '/'): every key
 *   starting with `q`, kept when `q` is followed by nothing, `.` (a substate) or
 *   `,` (a parallel key whose first path is `q`). This is the whole answer for
 *   machines without parallel states;
 * - the partial index `stator_instances_parallel` (keys with `,` only) for a
 *   parallel instance whose matching path is not its first.
 *
 * The planner would rather walk the primary key in id order and test every row
 * of the machine, so both branches name their index.
 */
export class InstanceLister {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement<[ListParams], InstanceRecord>>();

  constructor(db: Database.Database) {
    this.#db = db;
  }

  list(q: InstanceQueryBounds): InstanceRecord[] {
    const { sql, params } = listInstancesSql(q);
    return this.#prepare(sql).all(params);
  }

  #prepare(sql: string): Database.Statement<[ListParams], InstanceRecord> {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare<[ListParams], InstanceRecord>(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }
}

/** The SQL and named parameters of one listing. */
export function listInstancesSql(q: InstanceQueryBounds): { sql: string; params: ListParams } {
  const params: ListParams = { machine: q.machine, limit: q.limit };
  const filters: string[] = [];
  if (q.status !== undefined) {
    filters.push('status = @status');
    params.status = q.status;
  }
  if (q.enteredBefore !== undefined) {
    filters.push('state_entered_at < @enteredBefore');
    params.enteredBefore = q.enteredBefore;
  }
  if (q.version !== undefined) {
    filters.push('version = @version');
    params.version = q.version;
  }
  if (q.afterId !== undefined) {
    filters.push('id > @afterId');
    params.afterId = q.afterId;
  }
  if (q.idPrefix !== undefined) {
    filters.push('id >= @idFrom AND id < @idTo');
    params.idFrom = q.idPrefix;
    params.idTo = idPrefixEnd(q.idPrefix);
  }
  const rest = filters.map((f) => ` AND ${f}`).join('');
  let sql: string;
  if (q.state === undefined) {
    sql = `SELECT ${INSTANCE_COLUMNS} FROM stator_instances
      WHERE machine = @machine${rest} ORDER BY id LIMIT @limit`;
  } else {
    params.state = q.state;
    params.stateEnd = `${q.state}/`; // '/' sorts right after '.'
    sql = `
      SELECT ${INSTANCE_COLUMNS} FROM stator_instances INDEXED BY stator_instances_by_state
      WHERE machine = @machine AND ${FIRST_PATH_MATCHES}${rest}
      UNION ALL
      SELECT ${INSTANCE_COLUMNS} FROM stator_instances INDEXED BY stator_instances_parallel
      WHERE machine = @machine AND instr(state_key, ',') > 0
        AND (instr(',' || state_key || ',', ',' || @state || ',') > 0
             OR instr(',' || state_key, ',' || @state || '.') > 0)
        AND NOT (${FIRST_PATH_MATCHES})${rest}
      ORDER BY id LIMIT @limit`;
  }
  return { sql, params };
}

/** The key's first path is @state or below it (the range branch). */
const FIRST_PATH_MATCHES = `state_key >= @state AND state_key < @stateEnd
  AND (state_key = @state OR substr(state_key, length(@state) + 1, 1) IN ('.', ','))`;

export interface ListParams {
  machine: string;
  limit: number;
  state?: string;
  stateEnd?: string;
  status?: string;
  enteredBefore?: number;
  afterId?: string;
  idFrom?: string;
  idTo?: string;
  version?: string;
}
