import type { Hono } from 'hono';
import type { CliIo } from '../io.js';

export interface CapturedIo extends CliIo {
  readonly out: () => string;
  readonly err: () => string;
  /** Resolves `stopRequested` (as SIGTERM would). */
  readonly stop: () => void;
}

/** CLI io that captures output and sends HTTP to an in-process app (or a real fetch). */
export function captureIo(
  options: {
    app?: Hono<never> | { request: Hono['request'] };
    env?: Record<string, string>;
    cwd?: string;
  } = {},
): CapturedIo {
  let out = '';
  let err = '';
  let stop: (signal: string) => void = () => {};
  const stopped = new Promise<string>((resolve) => {
    stop = resolve;
  });
  const app = options.app;
  return {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    interactive: false,
    fetch: app
      ? ((async (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
          app.request(input instanceof URL ? input.href : (input as string), init)) as typeof fetch)
      : fetch,
    stopRequested: () => stopped,
    out: () => out,
    err: () => err,
    stop: () => stop('SIGTERM'),
  };
}
