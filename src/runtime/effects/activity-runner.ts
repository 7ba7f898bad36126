import type { AnyActorLogic } from 'xstate';
import type { ActivityInfo } from './activity-info.js';

export class ActivityTimeout extends Error {
  override readonly name = 'ActivityTimeout';
}

/**
 * Runs a promise actor's function once, outside XState: with its input, an
 * AbortSignal (aborted on stop or timeout) and Stator's idempotency key and
 * attempt number.
 */
export async function runPromiseLogic(
  logic: AnyActorLogic,
  args: ActivityInfo & { input: unknown; activityId: string },
  signal: AbortSignal,
  timeoutMs: number | undefined,
): Promise<unknown> {
  const creator = (logic as unknown as { config: (a: object) => PromiseLike<unknown> }).config;
  const controller = new AbortController();
  const abort = () => controller.abort(signal.reason);
  signal.addEventListener('abort', abort, { once: true });
  const timer =
    timeoutMs === undefined
      ? undefined
      : setTimeout(
          () => controller.abort(new ActivityTimeout(`timed out after ${timeoutMs} ms`)),
          timeoutMs,
        );
  try {
    const aborted = new Promise<never>((_, reject) => {
      controller.signal.addEventListener('abort', () => reject(controller.signal.reason), {
        once: true,
      });
    });
    const run = Promise.resolve(
      creator({
        input: args.input,
        signal: controller.signal,
        self: { id: args.activityId },
        system: undefined,
        emit: () => {},
        idempotencyKey: args.idempotencyKey,
        attempt: args.attempt,
      }),
    );
    return await Promise.race([run, aborted]);
  } finally {
    if (timer) clearTimeout(timer);
    signal.removeEventListener('abort', abort);
  }
}

/** A JSON-safe copy of an activity's output (it is recorded in the event log). */
export function jsonSafe(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value) ?? 'null');
}

/** The error as the machine sees it in `xstate.error.actor.*`: plain data. */
export function errorData(error: unknown): Record<string, unknown> {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return {
      name: error.name,
      message: error.message,
      ...(code !== undefined && { code: String(code) }),
    };
  }
  return {
    name: 'Error',
    message: typeof error === 'string' ? error : String(JSON.stringify(error)),
  };
}
