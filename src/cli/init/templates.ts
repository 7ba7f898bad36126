/** What `stator init` writes: a small project serving one machine, with a test. */
export interface ProjectSettings {
  readonly name: string;
  /** How package.json depends on Stator (`file:…`, `git+https://…`, a tarball). */
  readonly stator: string;
  /** Version ranges for xstate, typescript, vitest and @types/node. */
  readonly ranges: Readonly<Record<'xstate' | 'typescript' | 'vitest' | '@types/node', string>>;
}

export function projectFiles(settings: ProjectSettings): Record<string, string> {
  return {
    'package.json': packageJson(settings),
    'tsconfig.json': TSCONFIG,
    '.gitignore': 'node_modules/\n.stator/\n*.db\n*.db-wal\n*.db-shm\n',
    'src/signup.ts': MACHINE,
    'src/module.ts': MODULE,
    'src/signup.test.ts': TEST,
    'README.md': readme(settings.name),
  };
}

function packageJson({ name, stator, ranges }: ProjectSettings): string {
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    engines: { node: '>=20' },
    scripts: {
      // exec: the server is npm's own child and gets its SIGTERM.
      start: 'exec stator serve src/module.ts',
      test: 'tsc --noEmit && vitest run',
      stator: 'stator',
    },
    dependencies: { stator, xstate: ranges.xstate },
    devDependencies: {
      '@types/node': ranges['@types/node'],
      typescript: ranges.typescript,
      vitest: ranges.vitest,
    },
    // npm 11 runs dependencies' install scripts only when allowed: Stator's
    // build when installed from git (prepare), SQLite's native binding.
    allowScripts: { stator: true, 'better-sqlite3': true, esbuild: true },
  };
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

const TSCONFIG = `{
  "compilerOptions": {
    "target": "ES2022",
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "lib": ["ES2023"],
    "types": ["node"],
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "verbatimModuleSyntax": true,
    "isolatedModules": true,
    "skipLibCheck": true,
    "noEmit": true
  },
  "include": ["src"]
}
`;

const MACHINE = `import { assign, fromPromise, setup } from 'xstate';

export interface SignupContext {
  readonly email: string;
  readonly reminders: number;
}

export type SignupEvent = { type: 'Confirm' } | { type: 'Cancel' };

/**
 * A signup waiting for its email to be confirmed. Every 24 hours without a
 * confirmation a reminder goes out (a durable timer, then an activity); after
 * three reminders the signup expires. Timers survive restarts: they are rows
 * in the database, fired even if they fell due while the server was down.
 */
export const signupMachine = setup({
  types: {
    context: {} as SignupContext,
    input: {} as { email: string },
    events: {} as SignupEvent,
  },
  actors: {
    // An activity: runs after the transition that started it is committed,
    // retried when it throws, with an idempotency key for your mail service.
    sendReminder: fromPromise(async ({ input }: { input: { email: string; reminder: number } }) => {
      // Call your mail service here.
      return { sentTo: input.email, reminder: input.reminder };
    }),
  },
  guards: {
    remindedEnough: ({ context }) => context.reminders >= 3,
  },
  delays: { reminderInterval: 24 * 60 * 60 * 1000 },
}).createMachine({
  id: 'signup',
  initial: 'waiting',
  context: ({ input }) => ({ email: input.email, reminders: 0 }),
  on: { Cancel: '.cancelled' },
  states: {
    waiting: {
      on: { Confirm: 'confirmed' },
      after: {
        reminderInterval: [{ guard: 'remindedEnough', target: 'expired' }, { target: 'reminding' }],
      },
    },
    reminding: {
      on: { Confirm: 'confirmed' },
      invoke: {
        src: 'sendReminder',
        input: ({ context }) => ({ email: context.email, reminder: context.reminders + 1 }),
        onDone: {
          target: 'waiting',
          actions: assign({ reminders: ({ context }) => context.reminders + 1 }),
        },
      },
    },
    confirmed: { type: 'final' },
    expired: { type: 'final' },
    cancelled: { type: 'final' },
  },
});
`;

const MODULE = `/**
 * What \`npm start\` serves (\`stator serve src/module.ts\`): the machines, and
 * optionally payload schemas, authorization policies and activity retries.
 */
import { defineModule } from 'stator/server';
import { signupMachine } from './signup.js';

export default defineModule({
  machines: [signupMachine],
  activities: { sendReminder: { maxAttempts: 5, initialDelayMs: 1000 } },
});
`;

const TEST = `import { createTestEngine } from 'stator/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { signupMachine } from './signup.js';

// A simulated clock: days of timers run in milliseconds.
describe('signup', () => {
  let close: () => Promise<void> = async () => {};
  afterEach(() => close());

  it('sends a reminder a day later, and expires after three', async () => {
    const t = await createTestEngine({
      machines: [signupMachine],
      fakes: { sendReminder: { run: () => ({ sent: true }) } },
    });
    close = t.close;
    await t.engine.create(signupMachine, 's1', { input: { email: 'ada@example.com' } });

    await t.advanceBy('24h');
    const state = await t.engine.get(signupMachine, 's1');
    expect(state.value).toBe('waiting');
    expect(state.context.reminders).toBe(1);
    expect(t.calls('sendReminder').map((c) => c.input)).toEqual([
      { email: 'ada@example.com', reminder: 1 },
    ]);

    await t.advanceBy('72h');
    expect(await t.engine.get(signupMachine, 's1')).toMatchObject({
      value: 'expired',
      status: 'done',
      context: { reminders: 3 },
    });
  });

  it('stops reminding once confirmed', async () => {
    const t = await createTestEngine({ machines: [signupMachine] });
    close = t.close;
    await t.engine.create(signupMachine, 's2', { input: { email: 'grace@example.com' } });
    await t.engine.send(signupMachine, 's2', { type: 'Confirm' });
    await t.advanceBy('7d');
    expect(await t.engine.get(signupMachine, 's2')).toMatchObject({ value: 'confirmed' });
    expect(t.calls('sendReminder')).toEqual([]);
  });
});
`;

function readme(name: string): string {
  return `# ${name}

Durable XState machines served by Stator.

    npm install
    npm start        # stator serve src/module.ts on http://127.0.0.1:8080 (SQLite in .stator/)
    npm test         # typecheck, then the machine's tests on a simulated clock

Try it while it runs:

    npx stator create signup s1 --input '{"email":"ada@example.com"}'
    npx stator get signup s1
    npx stator send signup s1 Confirm

The machine is in \`src/signup.ts\`; \`src/module.ts\` lists what the server runs.
`;
}
