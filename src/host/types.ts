/**
 * The machine module format that `stator serve` loads: its machines, payload
 * schemas, authorization policies and activity policies. Host-level, because
 * the CLI and the server both read it.
 */
import type { AnyStateMachine } from 'xstate';
import type { Actor } from '../core/types.js';
import type {
  EngineOptions,
  InstanceState,
  MachineRegistration,
  MigrationDeclaration,
  PayloadSchemas,
  Rollout,
} from '../runtime/types.js';

/**
 * Who may send one event type (or create instances): an actor needs one of
 * `roles` (when given) and the `guard` (when given) must return `true`. A
 * string from the guard is the reason given in the 403 and the audit row.
 */
export interface EventRule {
  readonly roles?: readonly string[];
  /** `state` is undefined for creates. Must be synchronous and pure. */
  readonly guard?: (actor: Actor, state: InstanceState | undefined) => boolean | string;
}

/** Who may read instances (get, history, watch, list). */
export interface ReadRule {
  readonly roles?: readonly string[];
  /** Per instance: list results are filtered by it; a denied get is 403. */
  readonly guard?: (actor: Actor, state: InstanceState) => boolean | string;
}

/**
 * The authorization policy of one machine. Per event type, `'*'` for every
 * type without its own rule. Anything not declared is open to every
 * authenticated actor.
 */
export interface MachinePolicy {
  readonly events?: Readonly<Record<string, EventRule>>;
  /** Creates; falls back to `events['*']`. */
  readonly create?: EventRule;
  readonly read?: ReadRule;
  /**
   * Migrations of instances to another version (engine.migrate, `POST
   * …/migrate`). Not covered by `events['*']`, and unlike the event rules an
   * undeclared `migrate` denies: with authentication on, nobody migrates
   * until a rule (here or under `'*'`) says who. Without a `migrate` rule,
   * the `operate` rule decides.
   */
  readonly migrate?: EventRule;
  /**
   * Operator actions on instances: stopping one (`xstate.stop`), running a
   * waiting effect now, retrying or discarding its dead letters. Not covered
   * by `events['*']`, and an undeclared `operate` denies: with authentication
   * on, nobody operates until a rule says who. The guard sees the instance.
   */
  readonly operate?: EventRule;
}

/** Policies by machine name; `'*'` applies to machines without their own entry. */
export type Policies = Readonly<Record<string, MachinePolicy>>;

/** Event payload and create-input schemas of one machine (Standard Schema, e.g. zod). */
export type MachineSchemas = PayloadSchemas;

/**
 * What a machine module exports: `export const machines = [...]` (plus the
 * optional `policies`, `schemas`, `activities`, `migrations`, `rollout`,
 * `shadow`), or all of it as the default export.
 */
export interface MachineModule {
  readonly machines: readonly (AnyStateMachine | MachineRegistration)[];
  readonly policies?: Policies;
  readonly schemas?: Readonly<Record<string, MachineSchemas>>;
  /**
   * Retry policy per invoked promise actor (by its `setup({ actors })` name, by
   * invoke id for inline logic, `'*'` for the rest); `{ maxAttempts: 1 }` is
   * XState's semantics (the first rejection is `onError`).
   */
  readonly activities?: EngineOptions['activities'];
  /** How instances move between versions (state mapping, context transform). */
  readonly migrations?: readonly MigrationDeclaration[];
  /** The share of new instances per version (`{ order: { '2': 0.1 } }`). */
  readonly rollout?: Rollout;
  /** Live shadow runs: per machine, a candidate version run beside the one in use. */
  readonly shadow?: Readonly<Record<string, string>>;
}
