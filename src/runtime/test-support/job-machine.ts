import { appendFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { assign, fromPromise, setup } from 'xstate';
import { activityInfo } from '../effects/activity-info.js';

/**
 * The machine of the effects crash tests. Its activity first checks, on its own
 * connection, that the transition which invoked it is committed, and journals
 * what it saw (with its idempotency key and attempt) before doing anything.
 */
export function jobMachine(dbPath: string, journal: string, crash: string | undefined) {
  return setup({
    types: { context: {} as { result: string | null } },
    actors: {
      work: fromPromise(async (args: { input: { n: number } }) => {
        const info = activityInfo(args);
        const key = info?.idempotencyKey ?? '?';
        const [machine, id, seq] = key.split('/');
        const reader = new Database(dbPath, { readonly: true });
        const row = reader
          .prepare('SELECT 1 AS ok FROM stator_events WHERE machine = ? AND id = ? AND seq = ?')
          .get(machine, id, Number(seq));
        reader.close();
        appendFileSync(journal, `run ${key} ${info?.attempt} committed=${row !== undefined}\n`);
        if (crash === 'during-activity') process.kill(process.pid, 'SIGKILL');
        if (crash === 'after-activity') {
          appendFileSync(journal, `finished ${key}\n`);
          setImmediate(() => process.kill(process.pid, 'SIGKILL'));
        }
        return `done-${args.input.n}`;
      }),
    },
  }).createMachine({
    id: 'job',
    initial: 'idle',
    context: { result: null },
    states: {
      idle: { on: { Start: 'working' } },
      working: {
        invoke: {
          id: 'w',
          src: 'work',
          input: () => ({ n: 1 }),
          onDone: {
            target: 'done',
            actions: assign({ result: ({ event }) => event.output as string }),
          },
        },
      },
      done: { type: 'final' },
    },
  });
}

/** The machine of the due-timers crash test: one `after` timer per instance. */
export const alarmMachine = setup({}).createMachine({
  id: 'alarm',
  initial: 'armed',
  states: { armed: { after: { 300: 'rang' } }, rang: { type: 'final' } },
});
