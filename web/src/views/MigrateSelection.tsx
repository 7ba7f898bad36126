import { useState } from 'react';
import { type ApiError, migrateInstance, newIdempotencyKey } from '../api';
import { valueLabel } from '../chart/model';
import { ProblemNote } from '../components/ProblemNote';
import type { Decision, MigrationResult, VersionInfo } from '../types';

type Outcome = { id: string; result?: MigrationResult; error?: ApiError };

/**
 * Migrates the selected instances to another version: a dry run first (what
 * each would become, which timers and activities move), then the migration
 * after a confirmation, one instance at a time with progress. Disabled, with
 * the reason, when the caller may not migrate.
 */
export function MigrateSelection(props: {
  machine: string;
  versions: readonly VersionInfo[];
  selected: readonly string[];
  /** The caller's `migrate` decision from /v1/whoami. */
  allowed: Decision;
  onDone(): void;
}) {
  const { machine, selected } = props;
  const targets = props.versions.filter((v) => v.registered);
  const [to, setTo] = useState(() => targets.find((v) => v.latest)?.version ?? '');
  const [phase, setPhase] = useState<'idle' | 'dry' | 'checked' | 'confirm' | 'running' | 'done'>(
    'idle',
  );
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);
  const [progress, setProgress] = useState(0);
  /** The instances of the last run (the selection is cleared once it migrated). */
  const [batch, setBatch] = useState<readonly string[]>([]);

  const reason =
    props.allowed !== true
      ? `You may not migrate instances of ${machine}: ${props.allowed}`
      : selected.length === 0
        ? 'Select instances in the list below first.'
        : !to
          ? 'Choose the version to move them to.'
          : undefined;

  const run = async (dryRun: boolean) => {
    setPhase(dryRun ? 'dry' : 'running');
    setProgress(0);
    setOutcomes([]);
    const ids = dryRun ? [...selected] : batch;
    setBatch(ids);
    const out: Outcome[] = [];
    for (const id of ids) {
      try {
        const result = await migrateInstance(
          machine,
          id,
          { to, dryRun },
          dryRun ? undefined : newIdempotencyKey('inspector-migrate'),
        );
        out.push({ id, result });
      } catch (error) {
        out.push({ id, error: error as ApiError });
      }
      setProgress(out.length);
      setOutcomes([...out]);
    }
    setPhase(dryRun ? 'checked' : 'done');
    if (!dryRun) props.onDone();
  };

  // A dry run holds for the selection it ran on only.
  const stale = selected.length !== batch.length || selected.some((id, i) => id !== batch[i]);
  const failed = outcomes.filter((o) => o.error).length;
  const moving = outcomes.filter((o) => o.result && o.result.from !== to).length;
  return (
    <section aria-labelledby="migrate-title">
      <h2 id="migrate-title">Migrate the selection</h2>
      <div className="migrate-panel">
        <div className="field">
          <label htmlFor="migrate-to">To version</label>
          <select
            id="migrate-to"
            value={to}
            onChange={(e) => {
              setTo(e.target.value);
              setPhase('idle');
              setOutcomes([]);
            }}
          >
            {targets.map((v) => (
              <option key={v.version} value={v.version}>
                {v.version}
                {v.latest ? ' (newest)' : ''}
              </option>
            ))}
          </select>
        </div>
        <button
          type="button"
          disabled={reason !== undefined || phase === 'dry' || phase === 'running'}
          onClick={() => void run(true)}
          aria-describedby={reason ? 'migrate-disabled' : undefined}
        >
          Dry run ({selected.length} selected)
        </button>
        {phase === 'checked' && !stale && (
          <button
            type="button"
            className="primary"
            disabled={moving === 0}
            onClick={() => setPhase('confirm')}
          >
            Migrate {moving} instance{moving === 1 ? '' : 's'}…
          </button>
        )}
        {(phase === 'dry' || phase === 'running') && (
          <span>
            <progress max={batch.length} value={progress} aria-label="Progress" /> {progress}/
            {batch.length}
          </span>
        )}
        {reason && (
          <span className="disabled-reason" id="migrate-disabled">
            {reason}
          </span>
        )}
      </div>
      {phase === 'confirm' && !stale && (
        <div className="confirm" role="alertdialog" aria-labelledby="migrate-confirm">
          <p id="migrate-confirm">
            Move {moving} instance{moving === 1 ? '' : 's'} of {machine} to version{' '}
            <strong>{to}</strong>? Each gets a <code>stator.migrated</code> event; timers and
            activities change as the dry run showed.
          </p>
          <button type="button" className="primary" onClick={() => void run(false)}>
            Yes, migrate
          </button>{' '}
          <button type="button" onClick={() => setPhase('checked')}>
            Cancel
          </button>
        </div>
      )}
      {outcomes.length > 0 && (
        <>
          <p aria-live="polite">
            {phase === 'done' || phase === 'running' ? 'Migrated' : 'Dry run'}: {outcomes.length} of{' '}
            {batch.length}
            {failed > 0 ? `, ${failed} refused` : ''}.
          </p>
          <ul className="migrate-results" aria-label="Migration results">
            {outcomes.map((o) => (
              <li key={o.id}>
                <code>{o.id}</code>:{' '}
                {o.error ? (
                  <span className="bad">{o.error.problem.detail}</span>
                ) : o.result && o.result.from === to ? (
                  <span className="muted">already on {to}</span>
                ) : (
                  o.result && (
                    <>
                      {o.result.from} → {o.result.version}, {valueLabel(o.result.value)}
                      {o.result.effects.length > 0 &&
                        ` (${o.result.effects.map((e) => `${e.kind} ${e.id}`).join(', ')})`}
                    </>
                  )
                )}
              </li>
            ))}
          </ul>
          {failed > 0 && outcomes.find((o) => o.error)?.error && (
            <ProblemNote
              error={outcomes.find((o) => o.error)?.error as ApiError}
              action="Migrating"
            />
          )}
        </>
      )}
    </section>
  );
}
