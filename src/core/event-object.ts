import type { EventObject } from 'xstate';

/**
 * The event a recorded type and payload stand for: the payload's fields in
 * their order, then `type` (as `{ ...payload, type }` gives it). Built by
 * copying and then setting `type`, which V8 does several times faster than
 * that spread literal: a replay builds one per recorded event.
 */
export function eventObject(type: string, payload: Readonly<Record<string, unknown>>): EventObject {
  const event = Object.assign({}, payload) as Record<string, unknown>;
  event.type = type;
  return event as EventObject;
}
