import type { Actor } from '../core/types.js';

/**
 * The key an idempotency record is stored under: the caller's key, scoped to
 * who used it. Another actor using the same key gets a fresh key (it never
 * sees, or is refused because of, someone else's request), and keys the engine
 * uses for its own deliveries (an activity's result, a timer's send) live apart
 * from every caller's. Length-prefixed, so no key can be crafted to collide.
 */
export function scopedKey(key: string, actor: Actor | null, internal: boolean): string {
  if (internal) return `sys:${key}`;
  if (actor === null) return `anon:${key}`;
  return `actor:${actor.id.length}:${actor.id}:${key}`;
}
