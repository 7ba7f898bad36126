/**
 * An undo log over Maps and arrays: the memory store's transaction. Every change
 * records how to reverse itself; `rollbackTo(mark)` undoes everything after the
 * mark, newest first, so a failed commit leaves the maps exactly as they were.
 */
export class Journal {
  readonly #undo: (() => void)[] = [];

  mark(): number {
    return this.#undo.length;
  }

  rollbackTo(mark: number): void {
    while (this.#undo.length > mark) this.#undo.pop()?.();
  }

  set<K, V>(map: Map<K, V>, key: K, value: V): void {
    if (map.has(key)) {
      const previous = map.get(key) as V;
      this.#undo.push(() => map.set(key, previous));
    } else {
      this.#undo.push(() => map.delete(key));
    }
    map.set(key, value);
  }

  delete<K, V>(map: Map<K, V>, key: K): void {
    if (!map.has(key)) return;
    const previous = map.get(key) as V;
    map.delete(key);
    this.#undo.push(() => map.set(key, previous));
  }

  push<T>(array: T[], item: T): void {
    array.push(item);
    this.#undo.push(() => array.pop());
  }
}
