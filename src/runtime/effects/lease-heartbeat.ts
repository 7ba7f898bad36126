import type { OutboxQueue, OutboxRow } from '../../store/types.js';
import type { EffectsContext } from './context.js';

/**
 * Keeps an effect's lease while it runs, renewing it every third of
 * `leaseMs`, so an activity longer than the lease is not claimed and run again
 * by another process. When the lease turns out to be lost (it expired and
 * another process claimed the row), `lost` is called once: the effect's result
 * is no longer this process's to deliver. Returns the function that stops it.
 */
export function keepLease(
  fx: EffectsContext,
  queue: OutboxQueue,
  row: OutboxRow,
  lost: () => void,
): () => void {
  const handle = setInterval(
    () => {
      const until = fx.runtime.clock.now() + fx.leaseMs;
      queue.renewOutboxLease(row.effectId, fx.owner, until).then(
        (held) => {
          if (held) return;
          clearInterval(handle);
          lost();
        },
        (error: unknown) =>
          fx.log(`could not renew the lease of ${row.effectId}; will try again`, error),
      );
    },
    Math.max(1, Math.floor(fx.leaseMs / 3)),
  );
  handle.unref();
  return () => clearInterval(handle);
}
