/**
 * SCXML executable content as XState v5 built-in actions, the way a user
 * writes them: `raise`, `sendTo`, `sendParent`, `cancel`, `assign`, `log`,
 * and `enqueueActions` for `<if>` and `<foreach>`. Conditions become inline
 * guard functions (or `stateIn` for a whole `In('id')`).
 */
import {
  assign,
  cancel,
  type EventObject,
  enqueueActions,
  log,
  not,
  raise,
  sendParent,
  sendTo,
  stateIn,
} from 'xstate';
import {
  assignment,
  copyValues,
  delayMs,
  type EvalEnv,
  type Expression,
  expression,
  type Values,
} from './expressions.js';
import { SIMPLE_IN } from './unsupported.js';
import { childrenNamed, type XmlElement } from './xml.js';

/** What executable content needs to know about the document it is in. */
export interface DocContext {
  readonly env: EvalEnv;
  /** A fresh id for a `<send idlocation>` (unique in the document). */
  nextSendId(): string;
  /** The XState state id of an SCXML state id. */
  stateId(scxmlId: string): string;
}

/** Arguments XState passes to guards, action expressions and `enqueueActions`. */
interface Args {
  readonly context: unknown;
  readonly event: EventObject;
}

/** An XState action or guard as a config value (the machine config is assembled untyped). */
export type Action = unknown;
export type Guard = unknown;

/** Evaluates against a copy of the context: expressions cannot mutate the snapshot. */
const read =
  (ex: Expression) =>
  ({ context, event }: Args): unknown =>
    ex(copyValues(context), event);

export function guardOf(doc: DocContext, cond: string): Guard {
  const inState = SIMPLE_IN.exec(cond);
  if (inState?.[2] !== undefined) {
    const guard = stateIn(`#${doc.stateId(inState[2])}`);
    return inState[1] ? not(guard) : guard;
  }
  const ex = expression(doc.env, cond);
  return (args: Args) => Boolean(read(ex)(args));
}

export function actionsOf(doc: DocContext, elements: readonly XmlElement[]): Action[] {
  return elements.flatMap((el) => actionOf(doc, el));
}

function actionOf(doc: DocContext, el: XmlElement): Action[] {
  const a = el.attrs;
  switch (el.name) {
    case 'raise':
      return [raise({ type: a.event ?? '' })];
    case 'send':
      return sendActions(doc, el);
    case 'cancel':
      return [
        a.sendidexpr !== undefined
          ? cancel(read(expression(doc.env, a.sendidexpr)) as (args: Args) => string)
          : cancel(a.sendid ?? ''),
      ];
    case 'assign':
      return [assignAction(doc, a.location ?? '', a.expr ?? el.text)];
    case 'log': {
      const ex = a.expr === undefined ? undefined : read(expression(doc.env, a.expr));
      return [log((args: Args) => ex?.(args), a.label)];
    }
    case 'if':
      return [ifAction(doc, el)];
    case 'foreach':
      return [foreachAction(doc, el)];
    default:
      throw new Error(`<${el.name}> is not executable content`);
  }
}

function assignAction(doc: DocContext, location: string, source: string): Action {
  const value = expression(doc.env, source);
  const set = assignment(doc.env, location);
  return assign(({ context, event }: Args) => {
    const next = copyValues(context);
    set(next, event, value(next, event));
    return next;
  });
}

function ifAction(doc: DocContext, el: XmlElement): Action {
  const branches: { guard: Guard | undefined; actions: XmlElement[] }[] = [
    { guard: guardOf(doc, el.attrs.cond ?? 'false'), actions: [] },
  ];
  for (const child of el.children) {
    if (child.name === 'elseif')
      branches.push({ guard: guardOf(doc, child.attrs.cond ?? 'false'), actions: [] });
    else if (child.name === 'else') branches.push({ guard: undefined, actions: [] });
    else branches.at(-1)?.actions.push(child);
  }
  const compiled = branches.map((b) => ({ guard: b.guard, actions: actionsOf(doc, b.actions) }));
  return enqueueActions(({ enqueue, check }) => {
    const taken = compiled.find((b) => b.guard === undefined || check(b.guard as never));
    for (const action of taken?.actions ?? []) enqueue(action as never);
  });
}

function foreachAction(doc: DocContext, el: XmlElement): Action {
  const array = expression(doc.env, el.attrs.array ?? 'undefined');
  const item = el.attrs.item ?? '';
  const index = el.attrs.index;
  const body = actionsOf(doc, el.children);
  return enqueueActions(({ context, event, enqueue }) => {
    const collection = array(copyValues(context), event);
    if (typeof collection !== 'object' || collection === null)
      throw new TypeError(`<foreach array="${el.attrs.array}"> is not a collection`);
    // SCXML iterates over a shallow copy taken before the first iteration.
    const items = Array.isArray(collection) ? [...collection] : Object.values(collection);
    items.forEach((value, i) => {
      enqueue(
        assign(({ context: current }: Args) => ({
          ...(current as Values),
          [item]: value,
          ...(index !== undefined && { [index]: i }),
        })) as never,
      );
      for (const action of body) enqueue(action as never);
    });
  });
}

/** `<send>`: to `#_internal` a raise, to `#_parent` a sendParent, to `#_<invokeid>` a sendTo the child. */
function sendActions(doc: DocContext, el: XmlElement): Action[] {
  const a = el.attrs;
  const event = eventOf(doc, el);
  const delay =
    a.delayexpr !== undefined
      ? (() => {
          const ex = read(expression(doc.env, a.delayexpr));
          return (args: Args) => delayMs(ex(args));
        })()
      : a.delay !== undefined
        ? delayMs(a.delay)
        : undefined;
  const before: Action[] = [];
  let id = a.id;
  if (a.idlocation !== undefined) {
    id = doc.nextSendId();
    const sendId = id;
    const set = assignment(doc.env, a.idlocation);
    before.push(
      assign(({ context, event: current }: Args) => {
        const next = copyValues(context);
        set(next, current, sendId);
        return next;
      }),
    );
  }
  const options = {
    ...(delay !== undefined && { delay }),
    ...(id !== undefined && { id }),
  } as never;
  const target = a.target;
  let send: Action;
  if (target === '#_internal') send = raise(event as never, options);
  else if (target === '#_parent') send = sendParent(event as never, options);
  else if (target !== undefined) send = sendTo(target.slice(2), event as never, options);
  // No target: the session's own external queue. Delayed, that is a delayed raise (XState
  // schedules both alike); immediate, it must go through the mailbox: sendTo self.
  else if (delay !== undefined) send = raise(event as never, options);
  else send = sendTo(({ self }) => self, event as never, options);
  return [...before, send];
}

/** The event a `<send>` sends: a static object, or a function of context and event for data and eventexpr. */
function eventOf(doc: DocContext, el: XmlElement): EventObject | ((args: Args) => EventObject) {
  const a = el.attrs;
  const type =
    a.eventexpr !== undefined ? read(expression(doc.env, a.eventexpr)) : () => a.event ?? '';
  const data = dataOf(doc, el);
  if (a.eventexpr === undefined && data === undefined) return { type: a.event ?? '' };
  return (args: Args) => {
    const event: EventObject & { data?: unknown } = { type: String(type(args)) };
    if (data !== undefined) event.data = data(args);
    return event;
  };
}

/**
 * The data of a `<send>`, `<donedata>` or `<invoke>`: `<content>` (an expression, or text
 * read as JSON when it is JSON), or an object of `<param>` and `namelist` values.
 */
export function dataOf(doc: DocContext, el: XmlElement): ((args: Args) => unknown) | undefined {
  // An <invoke>'s <content> is the child document, not data.
  const content = el.name === 'invoke' ? undefined : childrenNamed(el, 'content')[0];
  if (content) {
    if (content.attrs.expr !== undefined) return read(expression(doc.env, content.attrs.expr));
    const text = content.text.trim();
    return () => textValue(text);
  }
  const params = childrenNamed(el, 'param').map((p) => ({
    name: p.attrs.name ?? '',
    value: read(expression(doc.env, p.attrs.expr ?? p.attrs.location ?? 'undefined')),
  }));
  const names = (el.attrs.namelist ?? '').trim().split(/\s+/).filter(Boolean);
  for (const name of names) params.push({ name, value: read(expression(doc.env, name)) });
  if (params.length === 0) return undefined;
  return (args) => Object.fromEntries(params.map((p) => [p.name, p.value(args)]));
}

/** Inline content: JSON when it parses as JSON, otherwise the space-normalized text. */
export function textValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text.replace(/\s+/g, ' ');
  }
}
