import * as rows from '../sql/rows.js';
import type { MachineVersions } from '../types.js';
import type { Runner } from './runner.js';

/** Stored machine versions, and live counts grouped from the instances. */
export function machineVersions(r: Runner): MachineVersions {
  return {
    async getMachineVersion(machine, version) {
      const [row] = await r.rows('read a machine version', 'getMachineVersion', [machine, version]);
      return row && rows.toMachineVersionRow(row as rows.MachineVersionRecord);
    },
    async putMachineVersion(row, options = {}) {
      const description = JSON.stringify(row.description);
      const values = [row.machine, row.version, row.fingerprint, description, row.registeredAt];
      const inserted = await r.count('store a machine version', 'insertMachineVersion', values);
      if (inserted === 0 && options.replace) {
        await r.count('store a machine version', 'replaceMachineVersion', values.slice(0, 4));
      }
    },
    async listMachineVersions(machine) {
      const found = await r.rows('list machine versions', 'listMachineVersions', [machine ?? null]);
      return (found as rows.MachineVersionRecord[]).map(rows.toMachineVersionRow);
    },
    async countLive(machine) {
      const found = await r.rows('count live instances', 'countLive', [machine]);
      return (found as { version: string; state_key: string; count: number }[]).map((row) => ({
        version: row.version,
        stateKey: row.state_key,
        count: row.count,
      }));
    },
  };
}
