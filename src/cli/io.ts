/** Everything the CLI touches outside itself, so tests can run it in-process. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stderr is a terminal (progress bars are drawn only then). */
  readonly interactive: boolean;
  readonly fetch: typeof fetch;
  /** Resolves when the process is asked to stop (SIGTERM, SIGINT): `serve` then drains and exits. */
  readonly stopRequested: () => Promise<string>;
}

/** The real process. */
export function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    interactive: Boolean(process.stderr.isTTY),
    fetch: globalThis.fetch,
    stopRequested: () =>
      new Promise((resolve) => {
        const stop = (signal: string) => {
          process.off('SIGTERM', stop);
          process.off('SIGINT', stop);
          resolve(signal);
        };
        process.on('SIGTERM', stop);
        process.on('SIGINT', stop);
      }),
  };
}
