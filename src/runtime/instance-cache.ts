import type { AnyMachineSnapshot } from 'xstate';
import type { InstanceRow } from '../store/types.js';
import type { MachineEntry } from './registry.js';

/** A live instance: its machine version, XState snapshot and the row as last committed. */
export interface LoadedInstance {
  readonly entry: MachineEntry;
  readonly snapshot: AnyMachineSnapshot;
  readonly row: InstanceRow;
}

/** Least-recently-used map of loaded instances. Only committed state goes in. */
export class InstanceCache {
  readonly #max: number;
  readonly #map = new Map<string, LoadedInstance>();

  constructor(max: number) {
    this.#max = max;
  }

  get(key: string): LoadedInstance | undefined {
    const hit = this.#map.get(key);
    if (hit) {
      this.#map.delete(key);
      this.#map.set(key, hit);
    }
    return hit;
  }

  set(key: string, value: LoadedInstance): void {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.#max) {
      const oldest = this.#map.keys().next().value;
      if (oldest !== undefined) this.#map.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#map.delete(key);
  }
}

export const instanceKey = (machine: string, id: string): string => `${machine}\u0000${id}`;
