/** What Stator adds to the arguments of a promise actor it runs as a durable activity. */
export interface ActivityInfo {
  /** Stable across retries and restarts: `machine/id/seq/index` of the invoking transition. */
  readonly idempotencyKey: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
}

/**
 * Reads Stator's activity facts from a promise actor's arguments. Outside Stator
 * (plain XState) it returns undefined.
 *
 * @example
 * const charge = fromPromise(async (args: { input: { amount: number }; signal: AbortSignal }) => {
 *   const info = activityInfo(args);
 *   return payments.charge(args.input.amount, { idempotencyKey: info?.idempotencyKey, signal: args.signal });
 * });
 */
export function activityInfo(args: object): ActivityInfo | undefined {
  const a = args as Partial<ActivityInfo>;
  return typeof a.idempotencyKey === 'string' && typeof a.attempt === 'number'
    ? { idempotencyKey: a.idempotencyKey, attempt: a.attempt }
    : undefined;
}
