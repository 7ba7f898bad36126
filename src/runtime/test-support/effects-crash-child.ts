/**
 * Child process of the effects crash tests. argv: db path, journal path,
 * scenario, phase (`crash` | `recover`). In `crash` it sets up work and dies by
 * SIGKILL at the scenario's point; in `recover` it restarts on the same file,
 * lets the engine finish everything, prints `settled` and exits 0.
 */
import { writeSync } from 'node:fs';
import { sqliteStore } from '../../store/sqlite/sqlite-store.js';
import { createEngine } from '../engine.js';
import { alarmMachine, jobMachine } from './job-machine.js';

const [dbPath, journal, scenario, phase] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
];
const crashing = phase === 'crash';
const engine = await createEngine({
  store: sqliteStore({ path: dbPath }),
  machines: [jobMachine(dbPath, journal, crashing ? scenario : undefined), alarmMachine],
  leaseMs: 200,
  timerLeaseMs: 200,
  activities: { work: { initialDelayMs: 20 } },
});
const ids = ['j1', 'j2', 'j3'];

if (crashing) {
  if (scenario === 'timers') {
    for (const id of ids) await engine.create('alarm', id);
    process.kill(process.pid, 'SIGKILL');
  }
  if (scenario === 'before-activity') {
    // Die the moment the transition that invokes the activity is committed, before dispatch.
    engine.onTransition((t) => {
      if (t.state.value === 'working') process.kill(process.pid, 'SIGKILL');
    });
  }
  for (const id of ids) await engine.create('job', id);
  await Promise.all(ids.map((id) => engine.send('job', id, { type: 'Start' })));
  await new Promise((r) => setTimeout(r, 5000));
  writeSync(2, 'the crash point was never reached\n');
  process.exit(3);
}

const machine = scenario === 'timers' ? 'alarm' : 'job';
for (let i = 0; i < 200; i++) {
  const states = await Promise.all(ids.map((id) => engine.get(machine, id)));
  if (states.every((s) => s.status === 'done')) {
    await engine.close();
    writeSync(1, 'settled\n');
    process.exit(0);
  }
  await new Promise((r) => setTimeout(r, 50));
}
writeSync(2, 'did not settle\n');
process.exit(4);
