import type { AnyStateMachine, AnyStateNode } from 'xstate';

/**
 * A Mermaid `stateDiagram-v2` of a machine definition: nested and parallel
 * states as composites, initial and final markers, and transitions labelled
 * with their event, guard (`Pay [paidInFull]`), delay (`after 5000ms`) or
 * `always`. Each transition is drawn inside the innermost composite holding
 * both ends.
 *
 * @example
 * console.log(mermaidGraph(engine.getMachine('order')));
 * // stateDiagram-v2
 * //   [*] --> order_pending
 * //   order_pending --> order_paid : Pay [paidInFull]
 */
export function mermaidGraph(machine: AnyStateMachine): string {
  const ids = new Ids();
  const edges = new Map<AnyStateNode, string[]>();
  collectEdges(machine.root, ids, edges);
  const lines = ['stateDiagram-v2'];
  renderChildren(machine.root, ids, edges, lines, '  ');
  return `${lines.join('\n')}\n`;
}

/** Event types a machine handles, without XState's internal ones. */
export function eventTypes(machine: AnyStateMachine): string[] {
  return [...new Set(machine.root.events)].filter(
    (t) => t !== '' && t !== '*' && !t.startsWith('xstate.'),
  );
}

class Ids {
  readonly #byNode = new Map<AnyStateNode, string>();
  readonly #used = new Set<string>();
  of(node: AnyStateNode): string {
    let id = this.#byNode.get(node);
    if (id) return id;
    const base = node.id.replace(/[^A-Za-z0-9_]/g, '_') || 'state';
    id = base;
    for (let n = 2; this.#used.has(id); n++) id = `${base}_${n}`;
    this.#used.add(id);
    this.#byNode.set(node, id);
    return id;
  }
}

function children(node: AnyStateNode): AnyStateNode[] {
  return Object.values(node.states) as AnyStateNode[];
}

function renderChildren(
  node: AnyStateNode,
  ids: Ids,
  edges: Map<AnyStateNode, string[]>,
  lines: string[],
  indent: string,
): void {
  const kids = children(node);
  if (node.type === 'parallel') {
    kids.forEach((kid, i) => {
      if (i > 0) lines.push(`${indent}--`);
      renderState(kid, ids, edges, lines, indent);
    });
  } else {
    for (const target of node.initial?.target ?? []) {
      lines.push(`${indent}[*] --> ${ids.of(target as AnyStateNode)}`);
    }
    for (const kid of kids) renderState(kid, ids, edges, lines, indent);
  }
  for (const edge of edges.get(node) ?? []) lines.push(`${indent}${edge}`);
  for (const kid of kids) {
    if (kid.type === 'final') lines.push(`${indent}${ids.of(kid)} --> [*]`);
  }
}

function renderState(
  node: AnyStateNode,
  ids: Ids,
  edges: Map<AnyStateNode, string[]>,
  lines: string[],
  indent: string,
): void {
  const id = ids.of(node);
  const label = node.type === 'history' ? `${node.key} (history)` : node.key;
  lines.push(`${indent}state "${clean(label)}" as ${id}`);
  if (children(node).length === 0) return;
  lines.push(`${indent}state ${id} {`);
  renderChildren(node, ids, edges, lines, `${indent}  `);
  lines.push(`${indent}}`);
}

interface TransitionLike {
  readonly target?: readonly AnyStateNode[] | undefined;
  readonly guard?: unknown;
  readonly eventType: string;
  readonly delay?: unknown;
}

function collectEdges(node: AnyStateNode, ids: Ids, edges: Map<AnyStateNode, string[]>): void {
  const add = (t: TransitionLike, label: string) => {
    for (const target of t.target ?? []) {
      const owner = commonAncestor(node, target);
      const list = edges.get(owner) ?? [];
      list.push(`${ids.of(node)} --> ${ids.of(target)} : ${clean(label + guardLabel(t.guard))}`);
      edges.set(owner, list);
    }
  };
  for (const [eventType, list] of node.transitions as Map<string, TransitionLike[]>) {
    if (eventType.startsWith('xstate.after.')) continue;
    for (const t of list) add(t, eventLabel(eventType));
  }
  for (const t of node.after as TransitionLike[]) add(t, `after ${delayLabel(t.delay)}`);
  for (const t of (node.always ?? []) as TransitionLike[]) add(t, 'always');
  for (const kid of children(node)) collectEdges(kid, ids, edges);
}

/** `xstate.done.actor.charge` → `done charge`, `xstate.error.actor.charge` → `error charge`. */
function eventLabel(type: string): string {
  const actor = /^xstate\.(done|error)\.actor\.(.+)$/.exec(type);
  if (actor) return `${actor[1]} ${actor[2]}`;
  if (type.startsWith('xstate.done.state.')) return 'done';
  return type === '*' ? 'any event' : type;
}

function commonAncestor(a: AnyStateNode, b: AnyStateNode): AnyStateNode {
  const chain = new Set<AnyStateNode>();
  for (let n: AnyStateNode | undefined = a.parent; n; n = n.parent) chain.add(n);
  for (let n: AnyStateNode | undefined = b.parent; n; n = n.parent) if (chain.has(n)) return n;
  return a.machine.root;
}

function guardLabel(guard: unknown): string {
  if (guard === undefined || guard === null) return '';
  if (typeof guard === 'string') return ` [${guard}]`;
  if (typeof guard === 'object' && typeof (guard as { type?: unknown }).type === 'string') {
    return ` [${(guard as { type: string }).type}]`;
  }
  return ' [guarded]';
}

function delayLabel(delay: unknown): string {
  return typeof delay === 'number' ? `${delay}ms` : String(delay);
}

/** Mermaid labels cannot hold quotes, semicolons, colons in ids, or newlines. */
function clean(text: string): string {
  return text.replace(/["\n\r;#]/g, ' ');
}
