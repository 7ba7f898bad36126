import { toMachineVersionRow } from '../sql/rows.js';
import type { MachineVersions } from '../types.js';
import type { SqliteRunner } from './runner.js';

/** Stored machine versions, and live counts grouped from the instances. */
export function sqliteMachineVersions(r: SqliteRunner): MachineVersions {
  return {
    async getMachineVersion(machine, version) {
      const row = await r.read('read a machine version', (s) =>
        s.getMachineVersion.get(machine, version),
      );
      return row === undefined ? undefined : toMachineVersionRow(row);
    },
    async putMachineVersion(row, options = {}) {
      const description = JSON.stringify(row.description);
      await r.write('store a machine version', (s) => {
        const { changes } = s.insertMachineVersion.run(
          row.machine,
          row.version,
          row.fingerprint,
          description,
          row.registeredAt,
        );
        if (changes === 0 && options.replace) {
          s.replaceMachineVersion.run(row.fingerprint, description, row.machine, row.version);
        }
      });
    },
    async listMachineVersions(machine) {
      const rows = await r.read('list machine versions', (s) =>
        s.listMachineVersions.all({ machine: machine ?? null }),
      );
      return rows.map(toMachineVersionRow);
    },
    async countLive(machine) {
      const rows = await r.read('count live instances', (s) => s.countLive.all(machine));
      return rows.map((row) => ({
        version: row.version,
        stateKey: row.state_key,
        count: row.count,
      }));
    },
  };
}
