import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The project's root, where `stator serve` runs (it serves `examples/module.ts`). */
export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * `stator serve` as a child process of `node <args>` (args: node flags, the CLI
 * entry, `serve` and its flags); resolves once it prints the URL it serves on.
 */
export function startServer(
  args: readonly string[],
): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    let stderr = '';
    let served = false;
    const onExit = (code: number | null) =>
      reject(new Error(`stator serve exited (${code}) before serving:\n${stderr}`));
    child.once('exit', onExit);
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const url = /stator: serving \S+ on (http:\/\/\S+)/.exec(stderr)?.[1];
      if (url && !served) {
        served = true;
        child.off('exit', onExit);
        resolve({ child, url });
      }
    });
  });
}

/** SIGTERM, then waits for the exit (serve drains first). */
export async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}
