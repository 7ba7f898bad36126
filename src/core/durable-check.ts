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
 * state, the feature and the durable rewrite: callback, observable and
 * transition actors (named or inline), inline child machines without an id,
 * and actions or actors named but not provided through `setup`. Inline action
 * functions and inline promise actors and machines are durable: they are
 * named by their place in the chart (see `inline.ts`).
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

/**
 * Why a callback or observable actor cannot be durable, and the rewrite: its
 * function holds live state (listeners, a subscription) that no log can bring
 * back after a crash, and its events would reach the machine without a commit.
 */
export const CALLBACK_ACTOR_REWRITE =
  'Callback, observable and transition actors keep live state in the process (listeners, subscriptions) that cannot be recovered after a crash, so Stator does not run them. Rewrite as durable work: a fromPromise activity that does the work and resolves with its result (onDone/onError), raising follow-up events from the machine; or, for a stream of outside events (a socket, a queue, a timer source), a process outside the machine that sends them to the instance (engine.send / POST .../events), each one committed.';

function checkInvokes(node: AnyNode, actors: Record<string, AnyActorLogic>, out: Problem[]): void {
  const configured = ([] as unknown[]).concat(node.config.invoke ?? []);
  configured.forEach((def, i) => {
    const src = (def as { src?: unknown }).src;
    if (typeof src !== 'string') {
      inlineProblem(node, i, src, out);
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
        fix: CALLBACK_ACTOR_REWRITE,
      });
    }
  });
}

/** Inline logic is durable when it is a promise actor or a machine with an id of its own. */
function inlineProblem(node: AnyNode, i: number, src: unknown, out: Problem[]): void {
  const kind = typeof src === 'object' && src !== null ? actorKind(src as AnyActorLogic) : 'other';
  if (kind === 'promise') return;
  if (kind === 'machine') {
    const id = (src as AnyStateMachine).id;
    if (id && id !== '(machine)') return;
    out.push({
      state: node.id,
      feature: `invoke #${i} is an inline machine without an id`,
      fix: 'Give it one (createMachine({ id: "payment", … })): Stator runs the child as a durable instance of its own machine, named by that id.',
    });
    return;
  }
  out.push({
    state: node.id,
    feature: `invoke #${i} is an inline callback, observable or transition actor`,
    fix: CALLBACK_ACTOR_REWRITE,
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
  // Inline functions run after commit by their place in the chart; built-ins are XState's.
  if (typeof action === 'function') return undefined;
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
