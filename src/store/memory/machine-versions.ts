import { stateKey } from '../state-key.js';
import type { MachineVersions, VersionCount } from '../types.js';
import { compare, copy, copyIn, type MemoryData } from './data.js';

/** Stored machine versions, and live counts read from the instances. */
export function memoryMachineVersions(d: MemoryData): MachineVersions {
  return {
    async getMachineVersion(machine, version) {
      d.assertOpen();
      return copy(d.machineVersions.get(versionKey(machine, version)));
    },
    async putMachineVersion(row, options = {}) {
      d.assertOpen();
      const key = versionKey(row.machine, row.version);
      const stored = d.machineVersions.get(key);
      if (stored !== undefined && !options.replace) return;
      const next = copyIn(row, 'store a machine version');
      d.machineVersions.set(
        key,
        stored === undefined ? next : { ...next, registeredAt: stored.registeredAt },
      );
    },
    async listMachineVersions(machine) {
      d.assertOpen();
      return [...d.machineVersions.values()]
        .filter((row) => machine === undefined || row.machine === machine)
        .sort(
          (a, b) =>
            compare(a.machine, b.machine) ||
            a.registeredAt - b.registeredAt ||
            compare(a.version, b.version),
        )
        .map((row) => structuredClone(row));
    },
    async countLive(machine) {
      d.assertOpen();
      const counts = new Map<string, VersionCount>();
      for (const row of d.instances.values()) {
        if (row.machine !== machine || row.status !== 'active') continue;
        const key = stateKey(row.value);
        const id = `${row.version}\u0000${key}`;
        const prev = counts.get(id);
        counts.set(id, { version: row.version, stateKey: key, count: (prev?.count ?? 0) + 1 });
      }
      return [...counts.values()].sort(
        (a, b) => compare(a.version, b.version) || compare(a.stateKey, b.stateKey),
      );
    },
  };
}

function versionKey(machine: string, version: string): string {
  return JSON.stringify([machine, version]);
}
