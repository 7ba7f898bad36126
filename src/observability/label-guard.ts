/**
 * Bounds the values of one label per machine: the first `max` distinct values
 * are kept, later ones count as `_other`. Event types of rejected events come
 * from callers, so without a bound a caller could make a series per request.
 */
export class LabelGuard {
  readonly #max: number;
  readonly #seen = new Map<string, Set<string>>();

  constructor(max: number) {
    this.#max = max;
  }

  label(machine: string, value: string): string {
    let seen = this.#seen.get(machine);
    if (seen === undefined) {
      seen = new Set();
      this.#seen.set(machine, seen);
    }
    if (seen.has(value)) return value;
    if (seen.size >= this.#max) return OTHER;
    seen.add(value);
    return value;
  }
}

export const OTHER = '_other';
