/**
 * At start: every registered machine version against what the store knows of
 * it. A new version is recorded; one whose definition changed is refused with
 * VERSION_CHANGED (what changed, and the two ways forward) unless it is
 * registered `compatible` and the change harms no live instance; a version the
 * store knows but that is no longer registered is refused with VERSION_IN_USE
 * while instances still run it.
 */
import { type Assessment, assess, type LiveCounts } from '../../analysis/assess.js';
import {
  describeMachine,
  fingerprintOf,
  type MachineDescription,
} from '../../analysis/definition.js';
import { diffVersions } from '../../analysis/diff.js';
import { StatorError } from '../../core/errors.js';
import type { MachineVersions, VersionCount } from '../../store/types.js';
import type { Inspector } from '../inspection.js';
import type { MachineEntry, MachineRegistry } from '../registry.js';

export async function checkVersions(
  store: MachineVersions,
  registry: MachineRegistry,
  now: number,
  inspector: Inspector,
): Promise<void> {
  const counts = new Map<string, Promise<VersionCount[]>>();
  const liveOf = async (machine: string, version: string): Promise<LiveCounts> => {
    const all = counts.get(machine) ?? store.countLive(machine);
    counts.set(machine, all);
    const out = new Map<string, number>();
    for (const c of await all) if (c.version === version) out.set(c.stateKey, c.count);
    return out;
  };
  for (const entry of registry.entries()) {
    const description = describeMachine(entry.stepper.machine);
    const fingerprint = fingerprintOf(description);
    const stored = await store.getMachineVersion(entry.name, entry.version);
    const row = {
      machine: entry.name,
      version: entry.version,
      fingerprint,
      description,
      registeredAt: now,
    };
    if (stored === undefined) {
      await store.putMachineVersion(row);
      continue;
    }
    if (stored.fingerprint === fingerprint) continue;
    const diff = diffVersions(stored.description as MachineDescription, description);
    const assessment = assess(diff, await liveOf(entry.name, entry.version));
    const harmless = assessment.verdict !== 'blocked' && assessment.verdict !== 'risky';
    if (entry.compatible && harmless) {
      await store.putMachineVersion(row, { replace: true });
      inspector.log(
        now,
        'warn',
        `machine ${entry.name} version ${entry.version} changed (${stored.fingerprint} → ${fingerprint}); declared compatible: ${summary(assessment)}`,
      );
      continue;
    }
    throw versionChanged(entry, stored.fingerprint, fingerprint, assessment);
  }
  for (const name of registry.names()) {
    const registered = new Set(registry.versionsOf(name).map((e) => e.version));
    for (const stored of await store.listMachineVersions(name)) {
      if (registered.has(stored.version)) continue;
      const live = [...(await liveOf(name, stored.version)).values()].reduce((a, b) => a + b, 0);
      if (live === 0) continue;
      throw new StatorError(
        'VERSION_IN_USE',
        `Machine "${name}" version "${stored.version}" still has ${live} live instance${live === 1 ? '' : 's'} but is no longer registered. Register it again beside the new version ({ machine, version: "${stored.version}" }), or migrate its instances first (stator migrate-instances ${name} --from ${stored.version} --to <version>).`,
        { machine: name, version: stored.version, live },
      );
    }
  }
}

function versionChanged(
  entry: MachineEntry,
  before: string,
  after: string,
  assessment: Assessment,
): StatorError {
  const lines = assessment.changes
    .filter((c) => c.verdict !== 'safe' || c.kind !== 'event.added')
    .slice(0, 12)
    .map((c) => `  - [${c.verdict}${c.live ? `, ${c.live} live` : ''}] ${c.detail}`);
  const more =
    assessment.changes.length > 12 ? `\n  … and ${assessment.changes.length - 12} more` : '';
  const compatibility =
    assessment.verdict === 'blocked' || assessment.verdict === 'risky'
      ? `Declaring it compatible is refused: the change is ${assessment.verdict} for live instances.`
      : `Or, if it is compatible with the instances running it, register it with { machine, version: "${entry.version}", compatible: true }.`;
  return new StatorError(
    'VERSION_CHANGED',
    `The definition of machine "${entry.name}" version "${entry.version}" changed since it was registered (${before} → ${after}), and instances run that version:\n${lines.join('\n')}${more}\nRegister the new definition as a new version beside the old one ({ machine: v1, version: "${entry.version}" }, { machine: v2, version: "<next>" }), then migrate instances (stator diff, stator migrate-instances). ${compatibility}`,
    {
      machine: entry.name,
      version: entry.version,
      stored: before,
      registered: after,
      verdict: assessment.verdict,
      changes: assessment.changes.map(({ kind, verdict, state, detail }) => ({
        kind,
        verdict,
        state,
        detail,
      })),
    },
  );
}

function summary(assessment: Assessment): string {
  return assessment.changes.map((c) => c.detail).join('; ') || 'no structural change';
}
