/**
 * One process of the multi-process chaos test. argv: url, schema, process
 * number, incarnation, instances per process, processes.
 *
 * Creates its own instances (idempotently: a restarted incarnation repeats the
 * creates), then sends a stream of `Go` and `Bump` events, each with a unique
 * idempotency key, to instances of every process, writing
 * `ack <id> <key> <seq>` after each send resolved (and `conflicts <n>` as the
 * store reports SEQUENCE_CONFLICT). Reads `stop` (end the stream, keep running
 * timers and activities) and then end of stdin (close and exit 0). Its activity
 * journals every run to `chaos_journal`, with whether the transition that
 * started it was committed when it began.
 */
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import pg from 'pg';
import { createEngine } from '../../../runtime/engine.js';
import { postgresStore } from '../postgres-store.js';
import { taskMachine } from './task-machine.js';

const [url, schema, procArg, incarnation, perArg, procsArg] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];
const proc = Number(procArg);
const perProcess = Number(perArg);
const processes = Number(procsArg);
const s = `"${schema}"`;

const journalDb = new pg.Pool({ connectionString: url, max: 2 });
const machine = taskMachine(
  async ({ key, attempt, phase }) => {
    const [, id, seq] = key.split('/');
    await journalDb.query(
      `INSERT INTO ${s}.chaos_journal (key, attempt, phase, pid, committed)
       SELECT $1, $2, $3, $4, EXISTS (
         SELECT 1 FROM ${s}.stator_events WHERE machine = 'task' AND id = $5 AND seq = $6)`,
      [key, attempt, phase, process.pid, id, Number(seq)],
    );
  },
  () => 10 + Math.floor(Math.random() * 60),
);

const store = postgresStore({ url, schema, pool: { max: 6 } });
let conflicts = 0;
const commit = store.commit.bind(store);
store.commit = async (writes) => {
  const outcomes = await commit(writes);
  const lost = outcomes.filter((o) => !o.ok && o.code === 'SEQUENCE_CONFLICT').length;
  if (lost > 0) {
    conflicts += lost;
    writeSync(1, `conflicts ${conflicts}\n`);
  }
  return outcomes;
};
const engine = await createEngine({
  store,
  machines: [machine],
  leaseMs: 1000,
  timerLeaseMs: 1000,
  activities: { work: { initialDelayMs: 50, maxAttempts: 20 } },
  log: () => {},
});

const own = Array.from({ length: perProcess }, (_, n) => `t${proc}-${n}`);
for (const id of own) {
  const r = await engine.create('task', id, { idempotencyKey: `create-${id}` });
  writeSync(1, `ack ${id} create-${id} ${r.duplicate ? 'dup' : r.seq}\n`);
}
writeSync(1, 'ready\n');

let streaming = true;
let sent = 0;
const stream = Promise.all(
  Array.from({ length: 6 }, async () => {
    while (streaming) {
      // Mostly this process's instances; every fifth event goes to anyone's (a cross-process race).
      const target = sent % 5 === 0 ? Math.floor(Math.random() * processes) : proc;
      const id = `t${target}-${Math.floor(Math.random() * perProcess)}`;
      const type = Math.random() < 0.3 ? 'Go' : 'Bump';
      const key = `p${proc}-${incarnation}-${sent++}`;
      try {
        const r = await engine.send('task', id, { type }, { idempotencyKey: key });
        writeSync(1, `ack ${id} ${key} ${r.seq}\n`);
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== 'EVENT_NOT_ACCEPTED' && code !== 'INSTANCE_NOT_FOUND') {
          writeSync(1, `error ${code} ${(error as Error).message}\n`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }),
);

for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stop') {
    streaming = false;
    await stream;
    writeSync(1, 'stopped\n');
  }
}
streaming = false;
await stream;
await engine.close();
await journalDb.end();
process.exit(0);
