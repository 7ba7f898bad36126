/**
 * Live shadow runs: an observer of `transition.committed`. Each event an
 * instance of a shadowed machine commits on another version is queued and,
 * off the commit path, stepped on the candidate beside the recorded version
 * (pure steps: nothing is written or run). The pair of snapshots per instance
 * is kept in an LRU; an instance not in it (first seen, evicted, skipped) is
 * rebuilt from its history first. A divergence is announced once per
 * instance as `shadow.diverged` and logged; the instance is then only
 * followed on its recorded version until its next migration.
 */
import { StatorError } from '../../core/errors.js';
import { MIGRATED_EVENT } from '../../core/migrate.js';
import type { Clock } from '../../core/types.js';
import type { EventRow, InstanceReads, InstanceRow } from '../../store/types.js';
import type { Inspector } from '../inspection.js';
import type { MachineRegistry } from '../registry.js';
import { ShadowReplay } from './shadow.js';
import type { LiveShadowStats } from './types.js';

export interface LiveShadowLimits {
  /** Instances whose snapshot pair is kept in memory. Default 1,000. */
  readonly cacheSize?: number;
  /** Events waiting to be compared; beyond it they are skipped. Default 10,000. */
  readonly queueLimit?: number;
}

interface Pending {
  readonly instance: InstanceRow;
  readonly event: EventRow;
}

interface Counters {
  compared: number;
  diverged: number;
  skipped: number;
}

export class LiveShadow {
  readonly #store: InstanceReads;
  readonly #registry: MachineRegistry;
  readonly #inspector: Inspector;
  readonly #clock: Clock;
  readonly #candidates: ReadonlyMap<string, string>;
  readonly #counters = new Map<string, Counters>();
  readonly #replays = new Map<string, ShadowReplay>();
  readonly #queue: Pending[] = [];
  readonly #cacheSize: number;
  readonly #queueLimit: number;
  #unsubscribe: (() => void) | undefined;
  #working: Promise<void> | undefined;
  #stopped = false;

  constructor(
    store: InstanceReads,
    registry: MachineRegistry,
    inspector: Inspector,
    clock: Clock,
    config: Readonly<Record<string, string>>,
    limits: LiveShadowLimits = {},
  ) {
    this.#store = store;
    this.#registry = registry;
    this.#inspector = inspector;
    this.#clock = clock;
    this.#candidates = validated(registry, config);
    for (const machine of this.#candidates.keys()) {
      this.#counters.set(machine, { compared: 0, diverged: 0, skipped: 0 });
    }
    this.#cacheSize = limits.cacheSize ?? 1000;
    this.#queueLimit = limits.queueLimit ?? 10_000;
  }

  start(): void {
    if (this.#candidates.size === 0) return;
    this.#unsubscribe = this.#inspector.subscribe(
      (event) => {
        if (event.type === 'transition.committed')
          this.#observe(event.write.instance, event.write.event);
      },
      ['transition.committed'],
    );
  }

  /** Stops observing and waits for the comparison in progress. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe?.();
    this.#queue.length = 0;
    await this.#working;
  }

  stats(): LiveShadowStats[] {
    return [...this.#candidates].map(([machine, candidate]) => ({
      machine,
      candidate,
      ...(this.#counters.get(machine) as Counters),
    }));
  }

  /** Resolves once every event queued so far has been compared (for tests and benches). */
  async idle(): Promise<void> {
    for (let working = this.#working; working !== undefined; working = this.#working) {
      await working;
    }
  }

  #observe(instance: InstanceRow, event: EventRow): void {
    const candidate = this.#candidates.get(instance.machine);
    if (candidate === undefined || instance.version === candidate) return;
    const key = keyOf(instance.machine, instance.id);
    if (this.#queue.length >= this.#queueLimit) {
      (this.#counters.get(instance.machine) as Counters).skipped++;
      this.#replays.delete(key);
      return;
    }
    this.#queue.push({ instance, event });
    this.#working ??= this.#drain().finally(() => {
      this.#working = undefined;
    });
  }

  async #drain(): Promise<void> {
    for (let next = this.#queue.shift(); next && !this.#stopped; next = this.#queue.shift()) {
      try {
        await this.#compare(next);
      } catch (error) {
        this.#replays.delete(keyOf(next.instance.machine, next.instance.id));
        this.#inspector.log(
          this.#clock.now(),
          'warn',
          `Shadow run of ${next.instance.machine}/${next.instance.id} could not read its history; it is rebuilt at its next event`,
          error,
        );
      }
    }
  }

  async #compare({ instance, event }: Pending): Promise<void> {
    const { machine, id } = instance;
    const candidate = this.#candidates.get(machine) as string;
    const counters = this.#counters.get(machine) as Counters;
    const key = keyOf(machine, id);
    let replay = this.#replays.get(key);
    this.#replays.delete(key);
    if (replay === undefined || replay.seq !== event.seq - 1) {
      replay = await this.#rebuild(instance, candidate, event.seq - 1);
    }
    const wasDiverged = replay.divergence !== undefined;
    const found = replay.apply(event);
    if (!wasDiverged || event.type === MIGRATED_EVENT) counters.compared++;
    if (found) this.#announce(instance, candidate, found, counters);
    this.#replays.set(key, replay);
    if (this.#replays.size > this.#cacheSize) {
      const oldest = this.#replays.keys().next().value as string;
      this.#replays.delete(oldest);
    }
  }

  /** The replay of an instance's history up to `upTo`, from the store. */
  async #rebuild(instance: InstanceRow, candidate: string, upTo: number): Promise<ShadowReplay> {
    const events: EventRow[] = [];
    for (let after = 0; after < upTo; ) {
      const page = await this.#store.readEvents(instance, {
        after,
        limit: Math.min(1000, upTo - after),
      });
      if (page.length === 0) break;
      events.push(...page);
      after = page.at(-1)?.seq ?? upTo;
    }
    const first = events.find((e) => e.type === MIGRATED_EVENT);
    const target = this.#registry.get(instance.machine, candidate);
    const start = first ? String(first.payload.from) : instance.version;
    const replay = new ShadowReplay(this.#registry, target, instance.id, start);
    const counters = this.#counters.get(instance.machine) as Counters;
    for (const event of events) {
      const found = replay.apply(event);
      if (found) this.#announce(instance, candidate, found, counters);
    }
    return replay;
  }

  #announce(
    instance: InstanceRow,
    candidate: string,
    divergence: NonNullable<ShadowReplay['divergence']>,
    counters: Counters,
  ): void {
    counters.diverged++;
    const at = this.#clock.now();
    this.#inspector.log(
      at,
      'warn',
      `Shadow run: ${instance.machine}/${instance.id} behaves differently on version ${candidate} than on ${instance.version} at event ${divergence.seq} (${divergence.eventType}): ${divergence.reason}`,
    );
    if (!this.#inspector.wants('shadow.diverged')) return;
    this.#inspector.emit({
      type: 'shadow.diverged',
      at,
      machine: instance.machine,
      version: instance.version,
      candidate,
      divergence,
    });
  }
}

function keyOf(machine: string, id: string): string {
  return `${machine}\u0000${id}`;
}

function validated(
  registry: MachineRegistry,
  config: Readonly<Record<string, string>>,
): Map<string, string> {
  const out = new Map<string, string>();
  for (const [machine, candidate] of Object.entries(config)) {
    const versions = registry.versionsOf(machine).map((e) => e.version);
    if (versions.length === 0) {
      throw invalid(`The shadow option names machine "${machine}", which is not registered.`);
    }
    if (!versions.includes(candidate)) {
      throw invalid(
        `The shadow option names version "${candidate}" of "${machine}", which is not registered (registered: ${versions.join(', ')}): register the candidate beside the version in use.`,
      );
    }
    if (versions.length < 2) {
      throw invalid(
        `The shadow option names "${machine}" version "${candidate}", its only registered version: register the version in use too.`,
      );
    }
    out.set(machine, candidate);
  }
  return out;
}

function invalid(message: string): StatorError {
  return new StatorError('CONFIG_INVALID', message);
}
