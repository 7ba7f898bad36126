import {
  type AnyActorRef,
  type AnyActorScope,
  type AnyMachineSnapshot,
  createActor,
  fromTransition,
} from 'xstate';
import { hasGeneratedId, markGeneration, type SpawnCounts, spawnCounts } from './children.js';
import { type CollectedAction, PARENT_REF, SPAWNED } from './effects.js';

/** What one step collected: its actions (and child creations, as `SPAWNED`) and spawn counts. */
export interface Collected {
  readonly actions: CollectedAction[];
  readonly counts: SpawnCounts;
  /** The scope's stand-in `self`: sends to it are sends to the instance. */
  readonly self: unknown;
}

/**
 * The scope steps run in. Its `self` is an inert stand-in for the instance
 * (sends to it are sends to the instance itself) with an inert `_parent` (sends
 * to it go to the instance's parent, when it is a durable child): effects
 * recognise both by identity. Actions are collected, never executed, and every
 * child actor XState creates (an invoke, `spawnChild`, a `spawn()` in `assign`)
 * is recorded where it happens. Actor ids XState generates (`spawn()` without an
 * id) come from the step's seq, so replay gives the same ones.
 *
 * One scope is reused per machine: a fresh one per step costs several times the
 * step. Only `systemId`s need their own: they register in the scope's system and
 * would collide across steps and instances, so a step whose snapshot has
 * children with a `systemId` gets a fresh scope with those registered (so
 * `system.get(systemId)` finds them), and a shared scope in which a step
 * registered one is not reused.
 */
export class StepScopes {
  #shared: ScopeState = newScope();

  /** Runs `run` in a scope for a step from `before`; `idPrefix` names generated actor ids. */
  collect<T>(
    before: AnyMachineSnapshot | undefined,
    idPrefix: string,
    run: (scope: AnyActorScope) => T,
  ): [T, Collected] {
    const keyed = keyedChildren(before);
    const state = keyed.length > 0 || this.#shared.keyed ? newScope(keyed) : this.#shared;
    if (state !== this.#shared && this.#shared.keyed) this.#shared = newScope();
    const step: StepState = { actions: [], counts: { ...spawnCounts(before) }, idPrefix, next: 0 };
    state.current = step;
    try {
      const result = run(state.scope);
      return [result, { actions: step.actions, counts: step.counts, self: state.scope.self }];
    } finally {
      state.current = undefined;
    }
  }

  /**
   * The scope `collect` would run a step from `before` in, when that is the
   * shared one (no child of `before` has a systemId, none was registered in
   * it); undefined otherwise. For a step that collects nothing and creates no
   * child: it sees the same `self` and `system` as in `collect`.
   */
  shared(before: AnyMachineSnapshot): AnyActorScope | undefined {
    if (this.#shared.keyed || hasKeyedChild(before)) return undefined;
    return this.#shared.scope;
  }

  /** A scope to restore a persisted snapshot in: its own, as its children may have systemIds. */
  forRestore(): AnyActorScope {
    return newScope().scope;
  }
}

interface StepState {
  readonly actions: CollectedAction[];
  readonly counts: Record<string, number>;
  readonly idPrefix: string;
  next: number;
}

interface ScopeState {
  readonly scope: AnyActorScope;
  current: StepState | undefined;
  /** A `systemId` was registered in this scope's system. */
  keyed: boolean;
}

/** The part of XState's internal actor system a step scope touches. */
interface InternalSystem {
  _bookId: () => string;
  _set(systemId: string, ref: AnyActorRef): void;
  _unregister(ref: AnyActorRef): void;
  _sendInspectionEvent(event: { type: string; actorRef?: unknown }): void;
}

/** Logic of the stand-in `self`: does nothing, cheap to create. */
const INERT_LOGIC = fromTransition((state: null) => state, null);

let restored = 0;

function newScope(keyed: readonly AnyActorRef[] = []): ScopeState {
  const self = createActor(INERT_LOGIC);
  (self as unknown as { _parent: unknown })._parent = PARENT_REF;
  const system = self.system as unknown as InternalSystem;
  const scope = {
    self,
    id: '',
    sessionId: '',
    system,
    logger: () => {},
    defer: () => {},
    emit: () => {},
    stopChild: () => {},
    actionExecutor: (action: CollectedAction) => {
      // XState frees a stopped child's systemId at once, so the same step may invoke it again.
      if (action.type === 'xstate.stopChild' && isActorRef(action.params)) {
        system._unregister(action.params);
      }
      state.current?.actions.push(action);
    },
  } as unknown as AnyActorScope;
  const state: ScopeState = { scope, current: undefined, keyed: false };
  system._bookId = () => {
    const step = state.current;
    return step ? `${step.idPrefix}${step.next++}` : `r:${restored++}`; // restored: own ids kept
  };
  const set = system._set;
  system._set = (systemId, ref) => {
    state.keyed = true;
    set(systemId, ref);
  };
  for (const child of keyed)
    system._set((child as unknown as { systemId: string }).systemId, child);
  // Every actor XState creates announces itself here (nobody inspects a step's system).
  system._sendInspectionEvent = (event) => {
    const step = state.current;
    const ref = event.actorRef as (AnyActorRef & { _parent?: unknown }) | undefined;
    if (!step || event.type !== '@xstate.actor' || !ref || ref._parent !== self) return;
    const generation = hasGeneratedId(ref) ? 1 : (step.counts[ref.id] ?? 0) + 1;
    if (!hasGeneratedId(ref)) step.counts[ref.id] = generation;
    markGeneration(ref, generation);
    step.actions.push({ type: SPAWNED, params: ref });
  };
  return state;
}

/** A child registered in its system under a `systemId`. */
const isKeyed = (child: unknown): child is AnyActorRef =>
  (child as { systemId?: unknown } | undefined)?.systemId !== undefined;

function hasKeyedChild(snapshot: AnyMachineSnapshot): boolean {
  const children = snapshot.children as Record<string, unknown>;
  for (const id in children) if (isKeyed(children[id])) return true;
  return false;
}

function keyedChildren(snapshot: AnyMachineSnapshot | undefined): AnyActorRef[] {
  const keyed: AnyActorRef[] = [];
  if (!snapshot) return keyed;
  for (const child of Object.values(snapshot.children)) if (isKeyed(child)) keyed.push(child);
  return keyed;
}

const isActorRef = (value: unknown): value is AnyActorRef =>
  typeof value === 'object' && value !== null && 'sessionId' in value;
