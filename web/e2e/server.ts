import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Served {
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** `stator serve <module>` on a SQLite file and a free port; resolves once it serves. */
export function serve(module: string, db: string): Promise<Served> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/main.ts',
        'serve',
        module,
        '--port',
        '0',
        '--db',
        `sqlite:${db}`,
      ],
      {
        cwd: ROOT,
        env: { ...process.env, STATOR_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let err = '';
    const stop = async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    };
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      err += text;
      const found = /stator: serving \S+ on (\S+)/.exec(err)?.[1];
      if (found) resolve({ url: found, child, stop });
    });
    child.once('exit', (code) => reject(new Error(`stator serve exited ${code}: ${err}`)));
  });
}
