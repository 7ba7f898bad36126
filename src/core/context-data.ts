/**
 * The stored form of a machine's context: actor refs (a `spawn()` kept in
 * context) become `{ xstate$$type: 1, id }`, as in XState's persisted snapshot,
 * and everything else stays as it is. Restoring the snapshot turns such a ref
 * back into the child of that id, which Stator routes to the durable child.
 *
 * `before` / `beforeData`: the previous context and its stored form. Parts
 * identical (`===`) to the same place in `before` reuse the stored form found
 * there, so converting after an `assign` costs only what the assign changed.
 */
export function contextData(context: unknown, before?: unknown, beforeData?: unknown): unknown {
  const visit = (v: unknown, b: unknown, bd: unknown, depth: number): unknown => {
    if (v === b && b !== undefined) return bd;
    if (typeof v !== 'object' || v === null || depth > MAX_DEPTH) return v;
    if (isActorRef(v)) return { xstate$$type: ACTOR_TYPE, id: v.id };
    const prior = typeof b === 'object' && b !== null ? (b as Record<string, unknown>) : undefined;
    const priorData =
      typeof bd === 'object' && bd !== null ? (bd as Record<string, unknown>) : undefined;
    let copy: Record<string, unknown> | unknown[] | undefined;
    const source = v as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      const part = source[key];
      const data = visit(part, prior?.[key], priorData?.[key], depth + 1);
      if (data !== part) {
        copy ??= Array.isArray(v) ? v.slice() : { ...source };
        (copy as Record<string, unknown>)[key] = data;
      }
    }
    return copy ?? v;
  };
  return visit(context, before, beforeData, 0);
}

/** XState's marker for an actor ref in a persisted context. */
const ACTOR_TYPE = 1;
/** Deeper than any real context; stops a cycle (refused later as not JSON data). */
const MAX_DEPTH = 64;

function isActorRef(v: object): v is { id: string } {
  return 'sessionId' in v && 'send' in v && typeof (v as { send: unknown }).send === 'function';
}
