import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root, where `stator` commands run in these tests. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** What a finished process printed, and its exit code. */
export interface Run {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/** `stator <args>` as a child process of this one (through tsx), from the repository root. */
export function stator(args: readonly string[], env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Collects a child's output until it closes. */
export function collect(child: ChildProcess): Promise<Run> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

/** The URL a starting `stator serve` prints on stderr (`… on http://127.0.0.1:PORT`). */
export function servingUrl(server: ChildProcess, timeoutMs = 30_000): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${seen}`)), timeoutMs);
    server.stderr?.on('data', (d) => {
      seen += d;
      const match = /serving \S+ on (http:\/\/[\d.:]+)/.exec(seen);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
  });
}
