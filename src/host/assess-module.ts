import type { Assessment } from '../analysis/assess.js';
import { errors } from '../core/errors.js';
import { assessMove } from '../runtime/versioning/versions.js';
import type { MachineVersions } from '../store/types.js';
import type { LoadedModule } from './module.js';

/**
 * What moving `machine` from `from` to `to` does, judged from a module as it
 * would be deployed and, with a store, the instances it holds now: `stator
 * diff <module> <machine>` gates a deploy before any server runs the new
 * version. A version the module no longer registers is described from the
 * store.
 */
export function assessModule(
  mod: LoadedModule,
  machine: string,
  from: string,
  to: string,
  store?: MachineVersions,
): Promise<Assessment> {
  const registered = mod.registrations
    .filter((r) => r.machine.id === machine)
    .map((r) => ({ version: r.version ?? '1', machine: r.machine }));
  if (registered.length === 0) {
    throw errors.machineNotFound(
      machine,
      mod.registrations.map((r) => r.machine.id),
    );
  }
  const declared = mod.migrations?.find(
    (m) => m.machine === machine && m.from === from && m.to === to,
  );
  return assessMove(store, registered, machine, from, to, declared?.states ?? {});
}
