/**
 * Converts an SCXML document (ECMAScript datamodel) into an XState v5 machine
 * written the way a user writes one: `setup({ actors }).createMachine(...)`,
 * built-in actions, inline guards, invoked child machines named in `setup`.
 *
 * What XState v5 cannot express is reported, never approximated: the result is
 * `{ skipped: reason }` (see `unsupported.ts`).
 *
 * Mapping, in short:
 * - `<state>`/`<parallel>`/`<final>`/`<history>` → state nodes keyed and `id`'d by the SCXML id
 *   (dots become `$`: XState reads dots as paths); targets are `#id`.
 * - event descriptors: `foo` and `foo.*` → `foo.*` (XState's prefix match, which also matches
 *   `foo`), `*` → `*`, `done.state.X` → `xstate.done.state.X`, `done.invoke.X` →
 *   `xstate.done.actor.X`; no event → `always`.
 * - an external transition with a target → `reenter: true`; `type="internal"` keeps
 *   `reenter: false` only where SCXML makes it internal (compound source, descendant targets).
 * - `<datamodel>` (early binding, all of the document's `<data>`) → `context`, evaluated at start;
 *   `<invoke><param>`/namelist → the child's `input`, overriding its `<data>` of the same id.
 * - `<donedata>` → the final state's `output` (and the machine's, for a top-level final).
 */
import { type AnyStateMachine, setup } from 'xstate';
import { type Action, actionsOf, type DocContext, dataOf, guardOf } from './executable.js';
import { expression, type Values } from './expressions.js';
import { STATE_ELEMENTS, unsupportedFeature } from './unsupported.js';
import { childrenNamed, parseXml, type XmlElement } from './xml.js';

export type Conversion =
  | { readonly machine: AnyStateMachine; readonly skipped?: undefined }
  | { readonly skipped: string; readonly machine?: undefined };

/**
 * @example
 * const result = scxmlToXState(readFileSync('test.scxml', 'utf8'), { id: 'test' });
 * if (result.machine) createActor(result.machine).start();
 * else console.log(`skipped: ${result.skipped}`);
 */
export function scxmlToXState(xml: string, options: { readonly id: string }): Conversion {
  const root = parseXml(xml);
  if (root.name !== 'scxml') return { skipped: `root element is <${root.name}>, not <scxml>` };
  const reason = unsupportedFeature(root);
  if (reason) return { skipped: reason };
  return { machine: documentMachine(root, options.id) };
}

/** XState reads `.` in ids as a path; SCXML ids may contain it. */
export function xstateStateId(scxmlId: string): string {
  return scxmlId.replace(/\./g, '$');
}

interface Builder {
  readonly doc: DocContext;
  readonly machineId: string;
  readonly actors: Record<string, AnyStateMachine>;
  anonymous: number;
}

function documentMachine(scxml: XmlElement, machineId: string): AnyStateMachine {
  const own = ownElements(scxml);
  const data = own.filter((e) => e.name === 'data');
  const declared = new Set<string>(data.map((d) => d.attrs.id ?? ''));
  for (const e of own) {
    if (e.name !== 'foreach') continue;
    if (e.attrs.item) declared.add(e.attrs.item);
    if (e.attrs.index) declared.add(e.attrs.index);
  }
  let sends = 0;
  const env = { declared, name: scxml.attrs.name };
  const b: Builder = {
    machineId,
    actors: {},
    anonymous: 0,
    doc: { env, nextSendId: () => `${machineId}.send${++sends}`, stateId: xstateStateId },
  };
  const initialData = data.map((d) => {
    const id = d.attrs.id ?? '';
    if (d.attrs.expr !== undefined) {
      const ex = expression(env, d.attrs.expr);
      return { id, value: (values: Values) => ex(values, undefined) };
    }
    return { id, value: d.text.trim() === '' ? undefined : inlineValue(b, d.text) };
  });
  const config = nodeConfig(b, scxml, machineId);
  const donedata = scxml.children.some(
    (c) => c.name === 'final' && childrenNamed(c, 'donedata').length > 0,
  );
  return setup({ actors: b.actors }).createMachine({
    ...config,
    id: machineId,
    context: ({ input }: { input: unknown }) => {
      const given = (input ?? {}) as Values;
      const values: Values = {};
      for (const d of initialData) {
        values[d.id] = d.id in given ? given[d.id] : d.value?.(values);
      }
      return values;
    },
    ...(donedata && { output: ({ event }: { event: { output?: unknown } }) => event.output }),
  } as never) as unknown as AnyStateMachine;
}

/** Inline `<data>` content: an ECMAScript expression (JSON is one), else the space-normalized text. */
function inlineValue(b: Builder, source: string): (values: Values) => unknown {
  const ex = expression(b.doc.env, source);
  return (values) => {
    try {
      return ex(values, undefined);
    } catch (error) {
      if (!(error instanceof SyntaxError)) throw error;
      return source.trim().replace(/\s+/g, ' ');
    }
  };
}

/** The document's own elements, not those of child documents in `<invoke><content>`. */
function ownElements(el: XmlElement): XmlElement[] {
  const out: XmlElement[] = [el];
  for (const child of el.children) if (child.name !== 'invoke') out.push(...ownElements(child));
  return out;
}

function keyOf(b: Builder, el: XmlElement): string {
  const id = el.attrs.id;
  return id === undefined ? `__anonymous${++b.anonymous}` : xstateStateId(id);
}

function nodeConfig(b: Builder, el: XmlElement, key: string): Values {
  if (el.name === 'history') {
    const target = childrenNamed(el, 'transition')[0]?.attrs.target?.trim();
    return {
      id: key,
      type: 'history',
      history: el.attrs.type === 'deep' ? 'deep' : 'shallow',
      ...(target !== undefined && { target: `#${xstateStateId(target)}` }),
    };
  }
  const children = el.children.filter((c) => STATE_ELEMENTS.has(c.name));
  const states: Values = {};
  let initial: string | undefined;
  for (const child of children) {
    const childKey = keyOf(b, child);
    states[childKey] = nodeConfig(b, child, childKey);
    if (initial === undefined && child.name !== 'history') initial = childKey;
  }
  const declaredInitial = initialTarget(el);
  if (el.name !== 'parallel' && declaredInitial !== undefined)
    initial = xstateStateId(declaredInitial.trim());
  const { on, always } = transitions(b, el);
  const entry = childrenNamed(el, 'onentry').flatMap((e) => actionsOf(b.doc, e.children));
  const exit = childrenNamed(el, 'onexit').flatMap((e) => actionsOf(b.doc, e.children));
  const invoke = childrenNamed(el, 'invoke').map((inv) => invokeConfig(b, inv));
  const donedata = childrenNamed(el, 'donedata')[0];
  const output = donedata ? dataOf(b.doc, donedata) : undefined;
  return {
    id: key,
    ...(el.name === 'parallel' && { type: 'parallel' }),
    ...(el.name === 'final' && { type: 'final' }),
    ...(children.length > 0 && { states }),
    ...(children.length > 0 && el.name !== 'parallel' && { initial }),
    ...(Object.keys(on).length > 0 && { on }),
    ...(always.length > 0 && { always }),
    ...(entry.length > 0 && { entry }),
    ...(exit.length > 0 && { exit }),
    ...(invoke.length > 0 && { invoke }),
    ...(output !== undefined && { output }),
  };
}

/** The `initial` attribute, or the target of the `<initial>` element's transition. */
export function initialTarget(el: XmlElement): string | undefined {
  const initial = childrenNamed(el, 'initial')[0];
  return el.attrs.initial ?? (initial && childrenNamed(initial, 'transition')[0]?.attrs.target);
}

function transitions(
  b: Builder,
  source: XmlElement,
): { on: Record<string, Values[]>; always: Values[] } {
  const on: Record<string, Values[]> = {};
  const always: Values[] = [];
  for (const t of childrenNamed(source, 'transition')) {
    const config = transitionConfig(b, source, t);
    const events = (t.attrs.event ?? '').trim().split(/\s+/).filter(Boolean);
    if (events.length === 0) always.push(config);
    for (const descriptor of events.map(eventDescriptor)) {
      on[descriptor] ??= [];
      on[descriptor].push(config);
    }
  }
  return { on, always };
}

function transitionConfig(b: Builder, source: XmlElement, t: XmlElement): Values {
  const targets = (t.attrs.target ?? '').trim().split(/\s+/).filter(Boolean);
  const actions: Action[] = actionsOf(b.doc, t.children);
  const internal =
    t.attrs.type === 'internal' &&
    source.name === 'state' &&
    source.children.some((c) => STATE_ELEMENTS.has(c.name)) &&
    targets.every((target) => isProperDescendant(source, target));
  const ids = targets.map((target) => `#${xstateStateId(target)}`);
  return {
    ...(ids.length === 1 && { target: ids[0] }),
    ...(ids.length > 1 && { target: ids }),
    ...(t.attrs.cond !== undefined && { guard: guardOf(b.doc, t.attrs.cond) }),
    ...(actions.length > 0 && { actions }),
    ...(ids.length > 0 && !internal && { reenter: true }),
  };
}

function isProperDescendant(el: XmlElement, id: string): boolean {
  return el.children.some(
    (c) => STATE_ELEMENTS.has(c.name) && (c.attrs.id === id || isProperDescendant(c, id)),
  );
}

/** An SCXML event descriptor as an XState `on` key. */
export function eventDescriptor(descriptor: string): string {
  if (descriptor === '*') return '*';
  const stem = descriptor.replace(/\.\*$/, '').replace(/\.$/, '');
  if (stem === 'done.state' || stem === 'done.invoke')
    return stem === 'done.state' ? 'xstate.done.state.*' : 'xstate.done.actor.*';
  if (stem.startsWith('done.state.')) return `xstate.done.state.${xstateStateId(stem.slice(11))}`;
  if (stem.startsWith('done.invoke.')) return `xstate.done.actor.${stem.slice(12)}`;
  return `${stem}.*`;
}

function invokeConfig(b: Builder, inv: XmlElement): Values {
  const content = childrenNamed(inv, 'content')[0];
  const child = content && childrenNamed(content, 'scxml')[0];
  if (!child) throw new Error('<invoke> without inline <scxml> (should have been skipped)');
  const src = `${b.machineId}_child${Object.keys(b.actors).length + 1}`;
  b.actors[src] = documentMachine(child, src);
  const input = dataOf(b.doc, inv);
  return {
    src,
    ...(inv.attrs.id !== undefined && { id: inv.attrs.id }),
    ...(input !== undefined && { input }),
  };
}
