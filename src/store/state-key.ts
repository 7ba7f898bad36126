import type { StateValue } from '../core/types.js';

/**
 * A stable string form of a state value, stored beside it so instances can be
 * listed by state. Each active leaf is written as its dotted path (the form
 * `state.matches()` accepts); parallel regions give several paths, sorted and
 * joined with `,`. Equal state values always give equal keys, whatever the
 * key order of the object.
 *
 * @example
 * stateKey('idle'); // 'idle'
 * stateKey({ checkout: 'payment' }); // 'checkout.payment'
 * stateKey({ shipping: { parcel: 'packed', invoice: 'sent' } });
 * // 'shipping.invoice.sent,shipping.parcel.packed'
 */
export function stateKey(value: StateValue): string {
  if (typeof value === 'string') return value;
  const paths: string[] = [];
  collectLeafPaths(value, '', paths);
  return paths.length === 1 ? (paths[0] as string) : paths.sort().join(',');
}

type StateValueMap = Exclude<StateValue, string>;

function collectLeafPaths(value: StateValueMap, prefix: string, into: string[]): void {
  for (const key of Object.keys(value)) {
    const child = value[key];
    if (child === undefined) continue;
    if (typeof child === 'string') into.push(`${prefix}${key}.${child}`);
    // An atomic region of a parallel state shows as `{}`: its path ends at its own name.
    else if (Object.keys(child).length === 0) into.push(prefix + key);
    else collectLeafPaths(child, `${prefix}${key}.`, into);
  }
}

/**
 * Whether an instance whose state key is `key` is in state `path` or one of its
 * substates: some active path (a region's, for parallel states) equals `path` or
 * continues it after a `.`. So `paid` matches `paid` and `paid.packed`, never
 * `paidOut`.
 *
 * @example
 * stateMatches('paid.packed', 'paid'); // true
 * stateMatches('paidOut', 'paid'); // false
 * stateMatches('ship.invoice.sent,ship.parcel.packed', 'ship.parcel'); // true
 */
export function stateMatches(key: string, path: string): boolean {
  const prefix = `${path}.`;
  return key.split(',').some((p) => p === path || p.startsWith(prefix));
}
