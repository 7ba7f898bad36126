/**
 * Inline functions and inline actor logic, identified by their place in the
 * chart: `<state id>/<kind>/<index>` (`order.pending/entry/0`,
 * `order.pending/on.Pay.0.action/1`, `order.pending/invoke.src/0`). A machine
 * definition is code, so the same definition gives the same places in every
 * process and after every restart: a place is a durable name for a function
 * that has none. Definition fingerprints (analysis) hash inline code by the
 * same places.
 */
import type { AnyActorLogic, AnyStateMachine, AnyStateNode } from 'xstate';

export type InlineKind = 'action' | 'guard' | 'invoke.src' | 'invoke.input';

export interface InlinePlace {
  /** `<state id>/<kind>/<index>`, stable for one definition. */
  readonly place: string;
  readonly kind: InlineKind;
  /** The function (or, for `invoke.src`, the logic object). */
  readonly value: unknown;
}

/** Built-in actions and guards (assign, raise, and(), …) are functions carrying a `type`. */
export function isBuiltIn(fn: unknown): boolean {
  return typeof (fn as { type?: unknown }).type === 'string';
}

/**
 * Every inline function and inline logic object of a machine, by place. Built-in
 * actions and guards are included (the fingerprint hashes their arguments);
 * `inlineActions` keeps only the user's own functions.
 */
export function inlinePlaces(machine: AnyStateMachine): InlinePlace[] {
  const out: InlinePlace[] = [];
  for (const node of nodes(machine.root)) placesOf(node, out);
  return out;
}

function placesOf(node: AnyStateNode, out: InlinePlace[]): void {
  const at = (kind: string, i: number) => `${node.id}/${kind}/${i}`;
  const action = (place: string, a: unknown) => {
    if (typeof a === 'function') out.push({ place, kind: 'action', value: a });
  };
  node.entry.forEach((a, i) => {
    action(at('entry', i), a);
  });
  node.exit.forEach((a, i) => {
    action(at('exit', i), a);
  });
  const transitions: [string, readonly unknown[]][] = [];
  for (const [event, list] of node.transitions as Map<string, unknown[]>) {
    transitions.push([event, list]);
  }
  transitions.push(['always', node.always ?? []]);
  for (const [event, list] of transitions) {
    list.forEach((t, ti) => {
      const { guard, actions } = t as { guard?: unknown; actions?: readonly unknown[] };
      if (typeof guard === 'function' && !isBuiltIn(guard)) {
        out.push({ place: at(`on.${event}.${ti}.guard`, 0), kind: 'guard', value: guard });
      }
      (actions ?? []).forEach((a, ai) => {
        action(at(`on.${event}.${ti}.action`, ai), a);
      });
    });
  }
  // The configured invokes: XState's resolved ones replace inline logic by a name.
  configuredInvokes(node).forEach((def, i) => {
    if (typeof def.src !== 'string' && def.src !== undefined) {
      out.push({ place: at('invoke.src', i), kind: 'invoke.src', value: def.src });
    }
    if (typeof def.input === 'function') {
      out.push({ place: at('invoke.input', i), kind: 'invoke.input', value: def.input });
    }
  });
}

/** The user's own inline action functions of a machine: place ↔ function. */
export interface InlineActions {
  placeOf(fn: unknown): string | undefined;
  get(place: string): ((...args: unknown[]) => unknown) | undefined;
}

export function inlineActions(machine: AnyStateMachine): InlineActions {
  const byFn = new Map<unknown, string>();
  const byPlace = new Map<string, (...args: unknown[]) => unknown>();
  for (const p of inlinePlaces(machine)) {
    if (p.kind !== 'action' || isBuiltIn(p.value)) continue;
    if (!byFn.has(p.value)) byFn.set(p.value, p.place);
    byPlace.set(p.place, p.value as (...args: unknown[]) => unknown);
  }
  return { placeOf: (fn) => byFn.get(fn), get: (place) => byPlace.get(place) };
}

const INVOKE_SRC = /^xstate\.invoke\.(\d+)\.(.*)$/;

/**
 * The logic behind an invoke's or spawn's `src`: a `setup({ actors })` name, or
 * the name XState gives inline logic (`xstate.invoke.<index>.<state id>`), which
 * is its place in the chart.
 */
export function actorLogicOf(machine: AnyStateMachine, src: string): AnyActorLogic | undefined {
  const named = (machine.implementations.actors as Record<string, AnyActorLogic>)[src];
  if (named) return named;
  const match = INVOKE_SRC.exec(src);
  if (!match) return undefined;
  const [, index, nodeId] = match as unknown as [string, string, string];
  let node: AnyStateNode;
  try {
    node = machine.getStateNodeById(nodeId) as AnyStateNode;
  } catch {
    return undefined;
  }
  const logic = configuredInvokes(node)[Number(index)]?.src;
  return typeof logic === 'object' && logic !== null ? (logic as AnyActorLogic) : undefined;
}

/** Every actor logic a machine can invoke: named in setup, and inline in the chart. */
export function allActorLogic(machine: AnyStateMachine): [src: string, logic: AnyActorLogic][] {
  const out = Object.entries(machine.implementations.actors as Record<string, AnyActorLogic>);
  for (const node of nodes(machine.root)) {
    configuredInvokes(node).forEach((def, i) => {
      if (typeof def.src === 'object' && def.src !== null) {
        out.push([`xstate.invoke.${i}.${node.id}`, def.src as AnyActorLogic]);
      }
    });
  }
  return out;
}

function configuredInvokes(node: AnyStateNode): { src?: unknown; input?: unknown }[] {
  return ([] as { src?: unknown; input?: unknown }[]).concat(
    (node.config as { invoke?: never }).invoke ?? [],
  );
}

function* nodes(node: AnyStateNode): Iterable<AnyStateNode> {
  yield node;
  for (const child of Object.values(node.states) as AnyStateNode[]) yield* nodes(child);
}
