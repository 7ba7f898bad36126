import type { StateValue } from 'xstate';

/**
 * A state value as one readable string: `pending`, `paid.awaitingShipment`,
 * parallel regions joined with `|` (`a.x|b.y`). Used in messages and audit reasons.
 */
export function formatStateValue(value: StateValue | null | undefined): string {
  if (value === null || value === undefined) return '(none)';
  if (typeof value === 'string') return value;
  const parts = Object.entries(value).map(([key, child]) => {
    if (child === undefined) return key;
    const inner = formatStateValue(child as StateValue);
    return inner.includes('|') ? `${key}.(${inner})` : `${key}.${inner}`;
  });
  return parts.join('|');
}

/** Leaf state paths of a value: `{ a: 'x', b: { c: 'y' } }` → `['a.x', 'b.c.y']`. */
export function statePaths(value: StateValue): string[] {
  if (typeof value === 'string') return [value];
  return Object.entries(value).flatMap(([key, child]) =>
    child === undefined || (typeof child === 'object' && Object.keys(child).length === 0)
      ? [key]
      : statePaths(child as StateValue).map((p) => `${key}.${p}`),
  );
}
