import type { Actor } from '../core/types.js';
import type { AuthorizationDecision, Authorizer, InstanceState } from '../runtime/types.js';
import type { EventRule, MachinePolicy, Policies, ReadRule } from './types.js';

const INIT = 'xstate.init';
const MIGRATED = 'stator.migrated';
/** An operator's stop of an instance (engine.stop) is authorized as an event of this type. */
const STOPPED = 'xstate.stop';
/** Without a `migrate` or `operate` rule (for the machine or under `'*'`), nobody may migrate its instances. */
const NO_MIGRATIONS: EventRule = {
  guard: () =>
    'no "migrate" rule is declared for this machine (nor an "operate" rule): add policies.<machine>.migrate (or policies[\'*\'].migrate) naming who may migrate instances',
};
/** Without an `operate` rule (for the machine or under `'*'`), nobody may operate on its instances. */
const NO_OPERATORS: EventRule = {
  guard: () =>
    'no "operate" rule is declared for this machine: add policies.<machine>.operate (or policies[\'*\'].operate) naming who may stop instances and retry their work',
};

/**
 * The engine's `authorize` hook for a module's policies: per machine and event
 * type (`'*'` as fallback; creates use `create`, then `'*'`), the actor needs
 * one of the rule's roles and its guard must pass. Events without a rule are
 * open to every authenticated actor. Migrations follow the `migrate` rule
 * (else the `operate` rule), and without either nobody may migrate; an
 * operator's stop (`xstate.stop`) follows the `operate` rule, and without one
 * nobody may stop instances.
 *
 * @example
 * const engine = await createEngine({
 *   store, machines: [orderMachine],
 *   authorize: authorizer({ order: { events: { Pay: { roles: ['customer', 'admin'] } } } }),
 * });
 */
export function authorizer(policies: Policies): Authorizer {
  const ruleOf = (machine: string, eventType: string): EventRule | undefined => {
    const policy = policyOf(policies, machine);
    if (eventType === MIGRATED) return policy?.migrate ?? policy?.operate ?? NO_MIGRATIONS;
    if (eventType === STOPPED) return operateRule(policy);
    return eventType === INIT
      ? (policy?.create ?? policy?.events?.['*'])
      : (policy?.events?.[eventType] ?? policy?.events?.['*']);
  };
  return {
    // Roles only: decided before anything about the instance is read.
    admit: ({ machine, eventType, actor }) => decide(ruleOf(machine, eventType), actor, () => true),
    // A repeated request returns what the original one recorded: its guard was decided then.
    decide: ({ machine, event, actor, state, duplicate }) => {
      const rule = ruleOf(machine, event.type);
      return decide(rule, actor, (a) => (duplicate ? true : (rule?.guard?.(a, state) ?? true)));
    },
  };
}

/**
 * Whether `actor` may read instances of `machine`: roles, then the guard for a
 * given instance. Without `state` only the roles are checked (listing filters
 * instances by the guard afterwards).
 */
export function readDecision(
  policies: Policies,
  machine: string,
  actor: Actor | null,
  state?: InstanceState,
): AuthorizationDecision {
  const rule: ReadRule | undefined = policyOf(policies, machine)?.read;
  return decide(rule, actor, (a) => (state && rule?.guard ? rule.guard(a, state) : true));
}

/**
 * Whether `actor` may act as an operator on instances of `machine` (run a
 * waiting effect now, retry or discard a dead letter): the `operate` rule's
 * roles, then its guard with the instance's state when given. Undeclared:
 * denied.
 */
export function operateDecision(
  policies: Policies,
  machine: string,
  actor: Actor | null,
  state?: InstanceState,
): AuthorizationDecision {
  const rule = operateRule(policyOf(policies, machine));
  return decide(rule, actor, (a) => (rule.guard ? rule.guard(a, state) : true));
}

const operateRule = (policy: MachinePolicy | undefined): EventRule =>
  policy?.operate ?? NO_OPERATORS;

function policyOf(policies: Policies, machine: string): MachinePolicy | undefined {
  return Object.hasOwn(policies, machine) ? policies[machine] : policies['*'];
}

function decide(
  rule: EventRule | ReadRule | undefined,
  actor: Actor | null,
  guard: (actor: Actor) => boolean | string,
): AuthorizationDecision {
  if (!rule) return true;
  if (!actor) return 'the request is not authenticated';
  if (rule.roles) {
    const held = new Set(actor.roles ?? []);
    if (!rule.roles.some((r) => held.has(r))) {
      return `requires one of the roles ${rule.roles.join(', ') || '(none: nobody may)'}; ${actor.id} has ${actor.roles?.length ? actor.roles.join(', ') : 'none'}`;
    }
  }
  let verdict: boolean | string;
  try {
    verdict = guard(actor);
  } catch (error) {
    return `the policy guard threw: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (verdict === true) return true;
  return typeof verdict === 'string' && verdict ? verdict : 'denied by the policy guard';
}
