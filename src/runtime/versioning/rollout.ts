/**
 * Which version a new instance starts on: the newest registered version
 * (other than a live shadow candidate), or,
 * with a rollout (`{ order: { '2': 0.1 } }`), a cohort chosen by a stable hash
 * of the instance id — the same id always gets the same version, and changing
 * a share moves only instances created afterwards (an instance never changes
 * version except by migration).
 */
import { createHash } from 'node:crypto';
import { StatorError } from '../../core/errors.js';
import type { MachineEntry, MachineRegistry } from '../registry.js';
import type { Rollout } from '../types.js';

export class VersionChooser {
  readonly #registry: MachineRegistry;
  readonly #rollout: Rollout;
  readonly #shadows: Readonly<Record<string, string>>;

  /** `shadows`: per machine, a candidate version that gets no new instances unless the rollout gives it a share. */
  constructor(
    registry: MachineRegistry,
    rollout: Rollout = {},
    shadows: Readonly<Record<string, string>> = {},
  ) {
    this.#registry = registry;
    this.#rollout = rollout;
    this.#shadows = shadows;
    for (const [machine, shares] of Object.entries(rollout)) {
      const versions = new Set(registry.versionsOf(machine).map((e) => e.version));
      if (versions.size === 0) {
        throw invalid(`The rollout names machine "${machine}", which is not registered.`);
      }
      let total = 0;
      for (const [version, share] of Object.entries(shares)) {
        if (!versions.has(version)) {
          throw invalid(
            `The rollout of "${machine}" names version "${version}", which is not registered (registered: ${[...versions].join(', ')}).`,
          );
        }
        if (!(typeof share === 'number' && share >= 0 && share <= 1)) {
          throw invalid(
            `The rollout share of "${machine}" version "${version}" must be a number from 0 to 1, got ${String(share)}.`,
          );
        }
        total += share;
      }
      if (total > 1 + 1e-9) {
        throw invalid(`The rollout shares of "${machine}" add up to ${total}, more than 1.`);
      }
    }
  }

  /** The version a new instance `id` of `machine` starts on. */
  forNew(machine: string, id: string): MachineEntry {
    const latest = this.newest(machine);
    const shares = Object.hasOwn(this.#rollout, machine) ? this.#rollout[machine] : undefined;
    if (shares === undefined) return latest;
    const point = bucket(machine, id);
    let cumulative = 0;
    for (const entry of this.#registry.versionsOf(machine)) {
      const share = shares[entry.version];
      if (share === undefined) continue;
      cumulative += share;
      if (point < cumulative) return entry;
    }
    // Everyone else: the newest version the rollout does not name (else the newest).
    const rest = this.#registry
      .versionsOf(machine)
      .filter((e) => shares[e.version] === undefined && !this.#isShadow(e));
    return rest.at(-1) ?? latest;
  }

  /** The newest registered version that is not only a shadow candidate: new instances' default. */
  newest(machine: string): MachineEntry {
    const latest = this.#registry.latest(machine);
    if (!this.#isShadow(latest)) return latest;
    return (
      this.#registry
        .versionsOf(machine)
        .filter((e) => !this.#isShadow(e))
        .at(-1) ?? latest
    );
  }

  #isShadow(entry: MachineEntry): boolean {
    return Object.hasOwn(this.#shadows, entry.name) && this.#shadows[entry.name] === entry.version;
  }

  /** The share of new instances each version gets, for operators. */
  shares(machine: string): Readonly<Record<string, number>> | undefined {
    return Object.hasOwn(this.#rollout, machine) ? this.#rollout[machine] : undefined;
  }
}

/** A point in [0, 1) from the machine and instance id: the same for the same id, everywhere. */
export function bucket(machine: string, id: string): number {
  const digest = createHash('sha256').update(`${machine}\u0000${id}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

function invalid(message: string): StatorError {
  return new StatorError('CONFIG_INVALID', message);
}
