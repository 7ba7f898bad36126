import { type InstanceQueryBounds, idPrefixEnd } from '../query.js';
import { INSTANCE_COLUMNS } from '../sql/columns.js';
import type { Statement } from './query.js';

/**
 * `listInstances` as SQL: the statement depends on which filters are set (at
 * most 64 shapes, each prepared once per connection under its own name).
 *
 * The state filter `q` matches when one of the paths in `state_key` (sorted,
 * joined by `,`) is `q` or starts with `q.`. As in the SQLite adapter, two
 * branches find them: a range scan of `stator_instances_by_state` over
 * [q, q || '/') for the first path (`/` sorts right after `.` and `,` in the C
 * collation), and the partial index of parallel keys for a later path.
 */
export function listInstancesSql(
  schema: string,
  s: string,
  q: InstanceQueryBounds,
): { statement: Statement; values: unknown[] } {
  const values: unknown[] = [q.machine, q.limit];
  const filters: string[] = [];
  let shape = '';
  const param = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  if (q.status !== undefined) {
    filters.push(`status = ${param(q.status)}`);
    shape += 's';
  }
  if (q.enteredBefore !== undefined) {
    filters.push(`state_entered_at < ${param(q.enteredBefore)}`);
    shape += 'e';
  }
  if (q.version !== undefined) {
    filters.push(`version = ${param(q.version)}`);
    shape += 'v';
  }
  if (q.afterId !== undefined) {
    filters.push(`id > ${param(q.afterId)}`);
    shape += 'a';
  }
  if (q.idPrefix !== undefined) {
    filters.push(`id >= ${param(q.idPrefix)} AND id < ${param(idPrefixEnd(q.idPrefix))}`);
    shape += 'p';
  }
  const rest = filters.map((f) => ` AND ${f}`).join('');
  let text: string;
  if (q.state === undefined) {
    text = `SELECT ${INSTANCE_COLUMNS} FROM ${s}.stator_instances
      WHERE machine = $1${rest} ORDER BY id LIMIT $2`;
  } else {
    shape += 'q';
    const state = param(q.state);
    const end = param(`${q.state}/`);
    const firstPath = `(state_key >= ${state} AND state_key < ${end}
      AND (state_key = ${state} OR substr(state_key, length(${state}) + 1, 1) IN ('.', ',')))`;
    text = `
      SELECT ${INSTANCE_COLUMNS} FROM ${s}.stator_instances
      WHERE machine = $1 AND ${firstPath}${rest}
      UNION ALL
      SELECT ${INSTANCE_COLUMNS} FROM ${s}.stator_instances
      WHERE machine = $1 AND strpos(state_key, ',') > 0
        AND (strpos(',' || state_key || ',', ',' || ${state} || ',') > 0
             OR strpos(',' || state_key, ',' || ${state} || '.') > 0)
        AND NOT ${firstPath}${rest}
      ORDER BY id LIMIT $2`;
  }
  return { statement: { name: `stator:${schema}:list:${shape}`, text }, values };
}
