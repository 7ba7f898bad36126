import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWrite, emit, eventWrite, key, timer } from '../contract/builders.js';
import { migratePostgresSchema } from './migrate-schema.js';
import { postgresStore } from './postgres-store.js';
import { applySchemaMigrations, LATEST_VERSION, SCHEMA_MIGRATIONS } from './schema-migrations.js';
import { dropSchema, pgUrl, testSchema } from './test-support/pg-server.js';

let url: string;
const schemas: string[] = [];
const fresh = (): string => {
  const schema = testSchema();
  schemas.push(schema);
  return schema;
};

beforeAll(async () => {
  url = await pgUrl();
});
afterAll(async () => {
  for (const schema of schemas) await dropSchema(url, schema);
});

async function applied(schema: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: number }>(
      `SELECT version FROM "${schema}".stator_migrations ORDER BY version`,
    );
    return rows.map((r) => r.version);
  } finally {
    await client.end();
  }
}

describe('postgres schema migrations', () => {
  it('creates the schema on open and records each migration once, however many processes start at once', async () => {
    const schema = fresh();
    const stores = Array.from({ length: 6 }, () => postgresStore({ url, schema }));
    await Promise.all(stores.map((s) => s.open()));
    expect(await applied(schema)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
    const order = key('order', 'o-1');
    expect(await stores[0]!.commit([createWrite(order)])).toEqual([{ ok: true }]);
    expect(await stores[5]!.getInstance(order)).toMatchObject({ seq: 1 });
    await Promise.all(stores.map((s) => s.close()));
  });

  it('runs separately with migratePostgresSchema; stores with migrateSchema: false then open, and refuse an unmigrated schema', async () => {
    const schema = fresh();
    const early = postgresStore({ url, schema, migrateSchema: false });
    await expect(early.open()).rejects.toMatchObject({
      code: 'STORE_ERROR',
      message: expect.stringContaining('migratePostgresSchema'),
    });
    expect(await migratePostgresSchema({ url, schema })).toEqual({ from: 0, to: LATEST_VERSION });
    expect(await migratePostgresSchema({ url, schema })).toEqual({
      from: LATEST_VERSION,
      to: LATEST_VERSION,
    });
    const store = postgresStore({ url, schema, migrateSchema: false });
    await store.open();
    expect(await store.commit([createWrite(key('order', 'o-1'))])).toEqual([{ ok: true }]);
    await store.close();
  });

  it('upgrades a version 1 schema in place on open: the commit function gains fired-timer guards', async () => {
    const schema = fresh();
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const names = { schema, qschema: `"${schema}"`, channel: `${schema.slice(0, 58)}_wake` };
    try {
      expect(await applySchemaMigrations(client, names, SCHEMA_MIGRATIONS.slice(0, 1))).toEqual({
        from: 0,
        to: 1,
      });
    } finally {
      await client.end();
    }
    const order = key('order', 'o-1');
    const v1 = postgresStore({ url, schema, migrateSchema: false });
    await expect(v1.open()).rejects.toMatchObject({ code: 'STORE_ERROR' });
    const store = postgresStore({ url, schema });
    await store.open();
    expect(await applied(schema)).toEqual(Array.from({ length: LATEST_VERSION }, (_, i) => i + 1));
    await store.commit([createWrite(order, { timersSet: [timer(order, 'expire', 10)] })]);
    const stale = { timerId: 'expire', setBySeq: 1, dueAt: 11 };
    expect(await store.commit([{ ...eventWrite(order, 1), firedTimer: stale }])).toEqual([
      { ok: false, code: 'TIMER_GONE' },
    ]);
    const current = { ...stale, dueAt: 10 };
    expect(
      await store.commit([
        { ...eventWrite(order, 1, { timersCancelled: ['expire'] }), firedTimer: current },
      ]),
    ).toEqual([{ ok: true }]);
    expect(await store.getInstance(order)).toMatchObject({ seq: 2 });
    await store.close();
  });

  it('upgrades a version 2 schema: emits numbered there stay, queued ones continue after them', async () => {
    const schema = fresh();
    const q = `"${schema}"`;
    const names = { schema, qschema: q, channel: `${schema.slice(0, 58)}_wake` };
    const old = key('order', 'o-0');
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      expect(await applySchemaMigrations(client, names, SCHEMA_MIGRATIONS.slice(0, 2))).toEqual({
        from: 0,
        to: 2,
      });
      // Two emits as version 2's commit function numbered them (head at 2).
      await client.query(
        `INSERT INTO ${q}.stator_emits (position, machine, id, seq, idx, effect_id, event, at)
         VALUES (1, 'order', 'o-0', 1, 0, 'order/o-0/1/e0', '{"type":"old"}', 1),
                (2, 'order', 'o-0', 2, 0, 'order/o-0/2/e0', '{"type":"old"}', 2)`,
      );
      await client.query(`UPDATE ${q}.stator_emit_head SET position = 2`);
    } finally {
      await client.end();
    }
    const order = key('order', 'o-1');
    const store = postgresStore({ url, schema });
    await store.open();
    try {
      expect(await applied(schema)).toEqual(
        Array.from({ length: LATEST_VERSION }, (_, i) => i + 1),
      );
      await store.commit([createWrite(order, { emits: [emit(order, 1, 0), emit(order, 1, 1)] })]);
      await store.commit([eventWrite(order, 1, { emits: [emit(order, 2, 0)] })]);
      expect((await store.readEmits(0)).map((e) => [e.position, e.id, e.seq, e.index])).toEqual([
        [1, old.id, 1, 0],
        [2, old.id, 2, 0],
        [3, order.id, 1, 0],
        [4, order.id, 1, 1],
        [5, order.id, 2, 0],
      ]);
      expect(await store.readEmits(3, 1)).toEqual([{ ...emit(order, 1, 1), position: 4 }]);
    } finally {
      await store.close();
    }
  });

  it('refuses a schema migrated by a newer Stator', async () => {
    const schema = fresh();
    await migratePostgresSchema({ url, schema });
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    await client.query(
      `INSERT INTO "${schema}".stator_migrations (version, name) VALUES (999, 'x')`,
    );
    await client.end();
    for (const migrateSchema of [true, false]) {
      await expect(postgresStore({ url, schema, migrateSchema }).open()).rejects.toMatchObject({
        code: 'STORE_ERROR',
        message: expect.stringMatching(/version 999, newer than this Stator knows/),
      });
    }
  });

  it('keeps schemas apart: two stores on one database, even sharing a pool the caller owns', async () => {
    const [a, b] = [fresh(), fresh()];
    const pool = new pg.Pool({ connectionString: url, max: 3 });
    const storeA = postgresStore({ pool, schema: a });
    const storeB = postgresStore({ pool, schema: b });
    await storeA.open();
    await storeB.open();
    await storeA.commit([createWrite(key('order', 'o-1'))]);
    expect(await storeB.getInstance(key('order', 'o-1'))).toBeUndefined();
    expect(await storeB.commit([createWrite(key('order', 'o-1'))])).toEqual([{ ok: true }]);
    await storeA.close();
    await storeB.close();
    expect((await pool.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]); // still ours
    await pool.end();
  });

  it.each(['Stator', 'has-dash', 'x; drop table y', '1starts_with_digit', 'a'.repeat(64), ''])(
    'rejects schema name %j with VALIDATION_FAILED',
    (schema) => {
      expect(() => postgresStore({ url, schema })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
    },
  );

  it('takes schema and pool size from the URL (for stator serve --db), keeping them from the driver', async () => {
    const schema = fresh();
    const store = postgresStore({
      url: `${url}${url.includes('?') ? '&' : '?'}schema=${schema}&pool_max=2`,
    });
    await store.open();
    await store.commit([createWrite(key('order', 'o-1'))]);
    expect(await applied(schema)).toHaveLength(LATEST_VERSION);
    await store.close();
    expect(() => postgresStore({ url: `${url}?pool_max=lots` })).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED' }),
    );
  });

  it('rejects a missing or non-postgres url with VALIDATION_FAILED', () => {
    for (const bad of [undefined, 'mysql://x', '']) {
      expect(() => postgresStore(bad === undefined ? {} : { url: bad })).toThrow(
        expect.objectContaining({ code: 'VALIDATION_FAILED' }),
      );
    }
  });

  it('reports a server it cannot reach as STORE_ERROR, without the password', async () => {
    const store = postgresStore({
      url: 'postgres://app:hunter2@127.0.0.1:1/nowhere',
      pool: { connectionTimeoutMillis: 2000 },
    });
    const error = await store.open().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_ERROR' });
    expect((error as Error).message).not.toContain('hunter2');
    await store.close();
  });
});
