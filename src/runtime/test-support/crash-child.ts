/**
 * Child process for the SIGKILL durability test: creates instances on a SQLite
 * file, then sends Flip events from several concurrent streams forever, writing
 * `ack <id> <seq>` to stdout (synchronously) after each send resolves. The parent
 * kills it mid-stream.
 */
import { writeSync } from 'node:fs';
import { sqliteStore } from '../../store/sqlite/sqlite-store.js';
import { createEngine } from '../engine.js';
import { flipMachine } from './flip-machine.js';

const [path, instancesArg, offsetArg] = process.argv.slice(2);
if (!path) throw new Error('usage: crash-child <db path> [instances] [id offset]');
const instances = Number(instancesArg ?? 16);
const offset = Number(offsetArg ?? 0);

const engine = await createEngine({
  store: sqliteStore({ path }),
  machines: [{ machine: flipMachine, snapshot: { every: 7 } }],
});
const ids = Array.from({ length: instances }, (_, i) => `f${offset + i}`);
for (const id of ids) {
  await engine.create('flip', id, { idempotencyKey: `create-${id}` });
  writeSync(1, `ack ${id} 1\n`);
}
await Promise.all(
  ids.map(async (id) => {
    for (;;) {
      const r = await engine.send('flip', id, { type: 'Flip' });
      writeSync(1, `ack ${id} ${r.seq}\n`);
    }
  }),
);
