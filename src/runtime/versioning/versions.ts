import type { AnyStateMachine } from 'xstate';
import { type Assessment, assess } from '../../analysis/assess.js';
import { describeMachine, type MachineDescription } from '../../analysis/definition.js';
import { diffVersions } from '../../analysis/diff.js';
import { errors } from '../../core/errors.js';
import type { MachineVersions } from '../../store/types.js';
import type { MachineRegistry } from '../registry.js';
import type { VersionInfo } from '../types.js';
import type { VersionChooser } from './rollout.js';

/** Every version of `machine` the store knows, with its live instances. */
export async function versionsOf(
  store: MachineVersions,
  registry: MachineRegistry,
  chooser: VersionChooser,
  machine: string,
): Promise<VersionInfo[]> {
  const latest = chooser.newest(machine).version;
  const registered = new Set(registry.versionsOf(machine).map((e) => e.version));
  const shares = chooser.shares(machine) ?? {};
  const counts = await store.countLive(machine);
  return (await store.listMachineVersions(machine)).map((row) => {
    const states: Record<string, number> = {};
    let total = 0;
    for (const c of counts) {
      if (c.version !== row.version) continue;
      states[c.stateKey] = c.count;
      total += c.count;
    }
    const share = shares[row.version];
    return {
      version: row.version,
      fingerprint: row.fingerprint,
      registeredAt: row.registeredAt,
      registered: registered.has(row.version),
      latest: row.version === latest,
      ...(share !== undefined && { share }),
      live: { total, states },
      retirable: total === 0,
    };
  });
}

/**
 * What moving `machine` from version `from` to `to` does to the instances on
 * `from`: the diff of the two definitions (the stored description when `from`
 * is no longer registered), weighed against its live instances and the
 * declared migration's mapping.
 */
export async function assessMove(
  store: MachineVersions | undefined,
  registered: readonly { readonly version: string; readonly machine: AnyStateMachine }[],
  machine: string,
  from: string,
  to: string,
  mapping: Readonly<Record<string, string>> = {},
): Promise<Assessment> {
  const describe = async (version: string): Promise<MachineDescription> => {
    const found = registered.find((e) => e.version === version);
    if (found) return describeMachine(found.machine);
    const stored = await store?.getMachineVersion(machine, version);
    if (stored) return stored.description as MachineDescription;
    throw errors.versionNotFound(
      machine,
      version,
      registered.map((e) => e.version),
    );
  };
  const diff = diffVersions(await describe(from), await describe(to));
  if (!store) return assess(diff, undefined, mapping);
  const live = new Map<string, number>();
  for (const c of await store.countLive(machine)) {
    if (c.version === from) live.set(c.stateKey, c.count);
  }
  return assess(diff, live, mapping);
}
