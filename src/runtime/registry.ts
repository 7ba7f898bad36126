import type { AnyStateMachine } from 'xstate';
import { assertDurable, isMachineLogic } from '../core/durable-check.js';
import { errors } from '../core/errors.js';
import { type HandledEvents, handledEvents } from '../core/events-handled.js';
import { allActorLogic } from '../core/inline.js';
import { createStepper, type Stepper } from '../core/step.js';
import type { MachineRegistration, PayloadSchemas, SnapshotPolicy } from './types.js';

/** One registered machine version, ready to step. */
export interface MachineEntry {
  readonly name: string;
  readonly version: string;
  readonly stepper: Stepper;
  readonly snapshot: Required<SnapshotPolicy>;
  readonly schemas: PayloadSchemas;
  /** Registered with `compatible: true`: a changed definition may replace the stored one. */
  readonly compatible: boolean;
  /** The event types the chart handles, and where: EVENT_UNKNOWN vs EVENT_NOT_ACCEPTED. */
  readonly events: HandledEvents;
  /** What an event the current state does not take gets (`MachineRegistration.unacceptedEvents`). */
  readonly unacceptedEvents: 'reject' | 'ignore';
}

export const DEFAULT_SNAPSHOT_EVERY = 100;

/**
 * Machines by name and version. New instances start on the newest registered
 * version (the last one given); existing instances keep the version they started on.
 */
export class MachineRegistry {
  readonly #byName = new Map<string, Map<string, MachineEntry>>();
  readonly #latest = new Map<string, MachineEntry>();

  constructor(
    machines: readonly (AnyStateMachine | MachineRegistration)[],
    defaults: SnapshotPolicy = {},
  ) {
    for (const item of machines) {
      this.#add(isRegistration(item) ? item : { machine: item }, defaults);
    }
    this.#addChildMachines(defaults);
  }

  /** Child machines (named in setup({ actors }) or inline in an invoke) run as durable instances of their own. */
  #addChildMachines(defaults: SnapshotPolicy): void {
    const queue = [...this.#latest.values()].map((e) => e.stepper.machine);
    while (queue.length > 0) {
      const machine = queue.pop() as AnyStateMachine;
      for (const [, logic] of allActorLogic(machine)) {
        if (!isMachineLogic(logic) || this.#byName.has(logic.id)) continue;
        this.#add({ machine: logic }, defaults);
        queue.push(logic);
      }
    }
  }

  #add(reg: MachineRegistration, defaults: SnapshotPolicy): void {
    const { machine } = reg;
    const version = reg.version ?? '1';
    if (!machine.id || machine.id === '(machine)') {
      throw errors.validation(
        'Every machine needs an explicit id (createMachine({ id: "order", … })): Stator uses it as the machine name.',
      );
    }
    assertDurable(machine);
    const unaccepted = reg.unacceptedEvents ?? 'reject';
    if (unaccepted !== 'reject' && unaccepted !== 'ignore') {
      throw errors.validation(
        `Machine "${machine.id}": unacceptedEvents must be 'reject' (the default) or 'ignore', not ${JSON.stringify(unaccepted)}.`,
        { machine: machine.id },
      );
    }
    const versions = this.#byName.get(machine.id) ?? new Map<string, MachineEntry>();
    if (versions.has(version)) {
      throw errors.validation(`Machine "${machine.id}" version "${version}" is registered twice.`, {
        machine: machine.id,
        version,
      });
    }
    const policy = { ...defaults, ...reg.snapshot };
    const entry: MachineEntry = {
      name: machine.id,
      version,
      stepper: createStepper(machine),
      snapshot: { every: policy.every ?? DEFAULT_SNAPSHOT_EVERY, states: policy.states ?? [] },
      schemas: reg.schemas ?? {},
      compatible: reg.compatible === true,
      events: handledEvents(machine),
      unacceptedEvents: unaccepted,
    };
    versions.set(version, entry);
    this.#byName.set(machine.id, versions);
    this.#latest.set(machine.id, entry);
  }

  /** The version new instances start on. */
  latest(name: string): MachineEntry {
    const entry = this.#latest.get(name);
    if (!entry) throw errors.machineNotFound(name, this.names());
    return entry;
  }

  get(name: string, version: string): MachineEntry {
    const versions = this.#byName.get(name);
    if (!versions) throw errors.machineNotFound(name, this.names());
    const entry = versions.get(version);
    if (!entry) throw errors.versionNotFound(name, version, [...versions.keys()]);
    return entry;
  }

  /** Every registered version of every machine, in registration order per machine. */
  entries(): MachineEntry[] {
    return [...this.#byName.values()].flatMap((versions) => [...versions.values()]);
  }

  /** The registered versions of a machine, in registration order. */
  versionsOf(name: string): MachineEntry[] {
    return [...(this.#byName.get(name)?.values() ?? [])];
  }

  names(): string[] {
    return [...this.#byName.keys()];
  }

  describe(): { name: string; versions: string[]; latest: string }[] {
    return this.names().map((name) => ({
      name,
      versions: [...(this.#byName.get(name)?.keys() ?? [])],
      latest: this.latest(name).version,
    }));
  }
}

function isRegistration(item: AnyStateMachine | MachineRegistration): item is MachineRegistration {
  return !('root' in item) && 'machine' in item;
}
