import type { AnyMachineSnapshot } from 'xstate';
import type { MachineEntry } from './registry.js';

/**
 * Whether to store a full snapshot with the event at `seq`: every N events, or
 * when the step entered one of the named states.
 */
export function shouldSnapshot(
  entry: MachineEntry,
  seq: number,
  before: AnyMachineSnapshot | undefined,
  after: AnyMachineSnapshot,
): boolean {
  const { every, states } = entry.snapshot;
  if (every > 0 && seq % every === 0) return true;
  if (states.length === 0) return false;
  const was = new Set(nodeIds(before));
  return nodeIds(after).some((id) => !was.has(id) && states.includes(id));
}

function nodeIds(snapshot: AnyMachineSnapshot | undefined): string[] {
  if (!snapshot) return [];
  return (snapshot as unknown as { _nodes: { id: string }[] })._nodes.map((n) => n.id);
}
