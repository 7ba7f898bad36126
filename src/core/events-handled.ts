import type { AnyStateMachine } from 'xstate';
import { allStateNodes } from './durable-check.js';

/**
 * Which event types a machine handles anywhere in its chart, and in which
 * states: what tells a typo (an event no state takes) from an event sent at
 * the wrong time (one that other states take).
 */
export interface HandledEvents {
  /** True when some state of the machine has a transition for the type (wildcards included). */
  known(type: string): boolean;
  /** The ids of the states whose own transitions take the type (a parent's cover its children). */
  acceptedIn(type: string): string[];
  /** The event descriptors the chart names (`Pay`, `order.*`), in chart order. */
  readonly descriptors: readonly string[];
}

export function handledEvents(machine: AnyStateMachine): HandledEvents {
  const byDescriptor = new Map<string, string[]>();
  for (const node of allStateNodes(machine)) {
    for (const descriptor of node.transitions.keys()) {
      // Events the engine itself makes (timers, done, errors) are not the caller's.
      if (descriptor.startsWith('xstate.')) continue;
      const states = byDescriptor.get(descriptor) ?? [];
      states.push(node.id);
      byDescriptor.set(descriptor, states);
    }
  }
  const acceptedIn = (type: string): string[] => {
    const states = new Set<string>();
    for (const [descriptor, ids] of byDescriptor) {
      if (matches(type, descriptor)) for (const id of ids) states.add(id);
    }
    return [...states];
  };
  return {
    known: (type) => acceptedIn(type).length > 0,
    acceptedIn,
    descriptors: [...byDescriptor.keys()],
  };
}

/** XState's descriptor matching: exact, `*`, or a `prefix.*` wildcard. */
function matches(type: string, descriptor: string): boolean {
  if (descriptor === type || descriptor === '*') return true;
  if (!descriptor.endsWith('.*')) return false;
  const prefix = descriptor.slice(0, -2);
  return type === prefix || type.startsWith(`${prefix}.`);
}
