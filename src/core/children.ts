import type { AnyActorRef, AnyMachineSnapshot } from 'xstate';

/**
 * Which spawn of a child id a child actor is. The first child spawned under an
 * id is generation 1, the next one spawned under the same id (after the first
 * was stopped) generation 2, and so on: each generation is its own durable
 * instance, so a child spawned again never lands on the stopped one.
 *
 * Generations are a pure function of the instance's history (counted as the
 * step creates child actors), so replay gives the same ones. A snapshot keeps
 * the count per child id; the persisted snapshot carries it under
 * `SPAWN_COUNTS_KEY` (XState ignores the extra key on restore).
 */
export type SpawnCounts = Readonly<Record<string, number>>;

/** Where a persisted snapshot keeps its spawn counts. */
export const SPAWN_COUNTS_KEY = 'statorSpawns';

const countsOf = new WeakMap<AnyMachineSnapshot, SpawnCounts>();
const generationOf = new WeakMap<object, number>();

export function spawnCounts(snapshot: AnyMachineSnapshot | undefined): SpawnCounts {
  return (snapshot && countsOf.get(snapshot)) ?? EMPTY;
}

export function setSpawnCounts(snapshot: AnyMachineSnapshot, counts: SpawnCounts): void {
  if (Object.keys(counts).length > 0) countsOf.set(snapshot, counts);
}

/** The generation of a child actor ref of a snapshot (1 when never counted: an older snapshot). */
export function childGeneration(ref: unknown): number {
  return (typeof ref === 'object' && ref !== null && generationOf.get(ref)) || 1;
}

export function markGeneration(ref: AnyActorRef, generation: number): void {
  generationOf.set(ref, generation);
}

/** Whether XState named the child itself (`x:…`, no `id` given): such ids are unique per spawn already. */
export function hasGeneratedId(ref: AnyActorRef): boolean {
  return ref.id === ref.sessionId;
}

/** The persisted form: XState's, plus the counts when there are any. */
export function withSpawnCounts(persisted: unknown, snapshot: AnyMachineSnapshot): unknown {
  const counts = countsOf.get(snapshot);
  if (!counts) return persisted;
  return { ...(persisted as object), [SPAWN_COUNTS_KEY]: counts };
}

/** After a restore: the counts back on the snapshot, each restored child marked with its generation. */
export function restoreSpawnCounts(snapshot: AnyMachineSnapshot, persisted: unknown): void {
  const stored = (persisted as Record<string, unknown> | null)?.[SPAWN_COUNTS_KEY];
  if (typeof stored !== 'object' || stored === null) return;
  const counts = stored as SpawnCounts;
  setSpawnCounts(snapshot, counts);
  for (const [id, ref] of Object.entries(snapshot.children as Record<string, AnyActorRef>)) {
    if (ref) markGeneration(ref, counts[id] ?? 1);
  }
}

const EMPTY: SpawnCounts = Object.freeze({});
