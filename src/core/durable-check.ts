import type { AnyActorLogic, AnyStateMachine, StateNode } from 'xstate';
import { StatorError } from './errors.js';

/** What kind of actor logic a `setup({ actors })` entry is, as far as durability goes. */
export type ActorKind = 'promise' | 'machine' | 'other';

const PROBE = Symbol('stator.probe');

/**
 * Classifies actor logic by behaviour rather than by shape (all XState logic
 * objects look alike): promise logic is the one that completes on
 * `xstate.promise.resolve`. The probe runs only the logic's pure transition.
 */
export function actorKind(logic: AnyActorLogic): ActorKind {
  if (isMachineLogic(logic)) return 'machine';
  try {
    const state = { status: 'active', output: undefined, error: undefined, input: undefined };
    const scope = { self: {}, system: {}, emit: () => {}, defer: () => {} };
    const next = (logic.transition as (s: unknown, e: unknown, sc: unknown) => unknown)(
      state,
      { type: 'xstate.promise.resolve', data: PROBE },
      scope,
    ) as { status?: string; output?: unknown } | undefined;
    return next?.status === 'done' && next.output === PROBE ? 'promise' : 'other';
  } catch {
    return 'other';
  }
}

/**
 * Whether actor logic is a state machine, recognised by shape rather than by
 * `instanceof StateMachine`: a project that installs Stator and XState side
 * by side can hold two copies of XState, and a machine built by the other
 * copy is still a machine.
 */
export function isMachineLogic(logic: unknown): logic is AnyStateMachine {
  if (typeof logic !== 'object' || logic === null) return false;
  const m = logic as Partial<Record<keyof AnyStateMachine, unknown>>;
  return (
    typeof m.id === 'string' &&
    typeof m.root === 'object' &&
    m.root !== null &&
    typeof m.implementations === 'object' &&
    typeof m.getStateNodeById === 'function' &&
    typeof m.resolveState === 'function' &&
    typeof m.getInitialSnapshot === 'function' &&
    typeof m.transition === 'function'
  );
}

interface Problem {
  readonly state: string;
  readonly feature: string;
  readonly fix: string;
}

// biome-ignore lint/suspicious/noExplicitAny: any machine's nodes, whatever their context and events
type AnyNode = StateNode<any, any>;

/**
 * Refuses machines that use features Stator cannot make durable, naming the
 * state and the feature: inline actor logic, callback/observable/transition
 * actors, inline action functions (they could not run again after a crash),
 * and actions or actors named but not provided through `setup`.
 */
export function assertDurable(machine: AnyStateMachine): void {
  const problems: Problem[] = [];
  const impl = machine.implementations;
  for (const node of allStateNodes(machine)) {
    checkActions(node, impl.actions, problems);
    checkInvokes(node, impl.actors as Record<string, AnyActorLogic>, problems);
  }
  if (problems.length === 0) return;
  const lines = problems.map((p) => `- state "${p.state}": ${p.feature}. ${p.fix}`);
  throw new StatorError(
    'NON_DURABLE_MACHINE',
    `Machine "${machine.id}" uses features that cannot be made durable:\n${lines.join('\n')}`,
    { machine: machine.id, problems },
  );
}

function checkInvokes(node: AnyNode, actors: Record<string, AnyActorLogic>, out: Problem[]): void {
  const configured = ([] as unknown[]).concat(node.config.invoke ?? []);
  configured.forEach((def, i) => {
    const src = (def as { src?: unknown }).src;
    if (typeof src !== 'string') {
      out.push({
        state: node.id,
        feature: `invoke #${i} uses inline actor logic`,
        fix: 'Provide it through setup({ actors: { name: fromPromise(...) } }) and invoke it by name.',
      });
      return;
    }
    const logic = actors[src];
    if (!logic) {
      out.push({
        state: node.id,
        feature: `invoke of "${src}" names an actor that setup({ actors }) does not provide`,
        fix: 'Add it to setup({ actors }).',
      });
      return;
    }
    if (actorKind(logic) === 'other') {
      out.push({
        state: node.id,
        feature: `invoke of "${src}" is a callback, observable or transition actor`,
        fix: 'Only promise actors (fromPromise) and machines can be durable; wrap the work in fromPromise.',
      });
    }
  });
}

function checkActions(node: AnyNode, actions: Record<string, unknown>, out: Problem[]): void {
  const where: [string, readonly unknown[] | undefined][] = [
    ['entry', node.entry],
    ['exit', node.exit],
  ];
  for (const [event, list] of node.transitions) {
    for (const t of list) where.push([`transition on "${event}"`, t.actions]);
  }
  for (const t of node.always ?? []) where.push(['always transition', t.actions]);
  for (const [place, list] of where) {
    for (const action of list ?? []) {
      const problem = actionProblem(action, actions);
      if (problem)
        out.push({ state: node.id, feature: `${place}: ${problem.feature}`, fix: problem.fix });
    }
  }
}

function actionProblem(
  action: unknown,
  actions: Record<string, unknown>,
): Omit<Problem, 'state'> | undefined {
  if (typeof action === 'function') {
    if (typeof (action as { type?: unknown }).type === 'string') return undefined; // built-in (assign, raise, …)
    const name = action.name || 'anonymous';
    return {
      feature: `inline action function (${name})`,
      fix: 'Name it in setup({ actions }) so it runs after commit, at least once, with an idempotency key.',
    };
  }
  const type = typeof action === 'string' ? action : (action as { type?: unknown } | null)?.type;
  if (typeof type === 'string' && !type.startsWith('xstate.') && !(type in actions)) {
    return {
      feature: `action "${type}" is not provided`,
      fix: 'Add it to setup({ actions }).',
    };
  }
  return undefined;
}

/** Every state node of a machine, root first. */
export function allStateNodes(machine: AnyStateMachine): AnyNode[] {
  const out: AnyNode[] = [];
  const visit = (node: AnyNode) => {
    out.push(node);
    for (const child of Object.values(node.states)) visit(child as AnyNode);
  };
  visit(machine.root as AnyNode);
  return out;
}
