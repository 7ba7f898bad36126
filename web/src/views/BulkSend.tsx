import { useState } from 'react';
import { type ApiError, type BulkSendPage, bulkSend, type ListFilter } from '../api';
import { ProblemNote } from '../components/ProblemNote';
import type { Decision } from '../types';

interface Totals {
  processed: number;
  sent: number;
  duplicates: number;
  failed: number;
  failures: BulkSendPage['failures'][number][];
}

const EMPTY: Totals = { processed: 0, sent: 0, duplicates: 0, failed: 0, failures: [] };

/**
 * Sends one event to every instance the list's filter finds (state, status,
 * time in state), a page per request, after a confirmation, with progress.
 * One operation id per run: repeating it (after a crash, or _Resume_) sends
 * nothing twice. Needs the machine's `operate` rule.
 */
export function BulkSend(props: {
  machine: string;
  events: readonly string[];
  filter: ListFilter;
  allowed: Decision;
}) {
  const { machine, filter } = props;
  const [type, setType] = useState(props.events[0] ?? '');
  const [json, setJson] = useState('');
  const [phase, setPhase] = useState<'idle' | 'confirm' | 'running' | 'done'>('idle');
  const [totals, setTotals] = useState<Totals>(EMPTY);
  const [error, setError] = useState<ApiError | undefined>();
  const [operation, setOperation] = useState(() => `ui-${crypto.randomUUID()}`);

  let payload: Record<string, unknown> | undefined = {};
  try {
    payload = json.trim() ? (JSON.parse(json) as Record<string, unknown>) : {};
  } catch {
    payload = undefined;
  }
  const reason =
    props.allowed !== true
      ? `You may not bulk-send to ${machine}: ${props.allowed}`
      : filter.idPrefix || filter.version
        ? 'A bulk send selects by state, status and time in state only: clear the id prefix and version filters.'
        : !type
          ? 'Choose an event type.'
          : payload === undefined || typeof payload !== 'object' || Array.isArray(payload)
            ? 'The payload must be a JSON object.'
            : undefined;
  const selection = [
    filter.status ?? 'active',
    filter.state ? `in ${filter.state}` : 'in any state',
    filter.minTimeInState ? `for at least ${Math.round(filter.minTimeInState / 1000)} s` : '',
  ]
    .filter(Boolean)
    .join(' ');

  const run = async () => {
    setPhase('running');
    setError(undefined);
    const sum: Totals = { ...EMPTY, failures: [] };
    setTotals(sum);
    let cursor: string | null = null;
    try {
      do {
        const page: BulkSendPage = await bulkSend(machine, {
          operation,
          event: { ...(payload ?? {}), type },
          ...(filter.state && { state: filter.state }),
          ...(filter.status && { status: filter.status }),
          ...(filter.minTimeInState && { minTimeInState: Math.round(filter.minTimeInState) }),
          ...(cursor && { cursor }),
        });
        sum.processed += page.processed;
        sum.sent += page.sent;
        sum.duplicates += page.duplicates;
        sum.failed += page.failed;
        sum.failures.push(...page.failures.slice(0, 100 - sum.failures.length));
        setTotals({ ...sum });
        cursor = page.next;
      } while (cursor);
      setPhase('done');
      setOperation(`ui-${crypto.randomUUID()}`);
    } catch (e) {
      setError(e as ApiError);
      setPhase('idle');
    }
  };

  return (
    <section aria-labelledby="bulk-title">
      <h2 id="bulk-title">Send an event to the selection</h2>
      <div className="migrate-panel">
        <div className="field">
          <label htmlFor="bulk-type">Event type</label>
          <select id="bulk-type" value={type} onChange={(e) => setType(e.target.value)}>
            {props.events.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="bulk-json">Payload (JSON)</label>
          <input
            id="bulk-json"
            value={json}
            placeholder="{}"
            size={24}
            spellCheck={false}
            onChange={(e) => setJson(e.target.value)}
            aria-invalid={payload === undefined ? true : undefined}
          />
        </div>
        <button
          type="button"
          disabled={reason !== undefined || phase === 'running'}
          aria-describedby={reason ? 'bulk-disabled' : undefined}
          onClick={() => setPhase('confirm')}
        >
          Send {type} to all {selection}…
        </button>
        {reason && (
          <span className="disabled-reason" id="bulk-disabled">
            {reason}
          </span>
        )}
      </div>
      {phase === 'confirm' && (
        <div className="confirm" role="alertdialog" aria-labelledby="bulk-confirm">
          <p id="bulk-confirm">
            Send <code>{type}</code> to every {selection} instance of {machine}? Instances that do
            not accept it now are counted as failed; nothing is sent twice if you run it again.
          </p>
          <button type="button" className="primary" onClick={() => void run()}>
            Yes, send
          </button>{' '}
          <button type="button" onClick={() => setPhase('idle')}>
            Cancel
          </button>
        </div>
      )}
      {error && <ProblemNote error={error} action="Sending to the selection" />}
      {(phase === 'running' || phase === 'done') && (
        <p aria-live="polite">
          {phase === 'running' ? 'Sending… ' : 'Done: '}
          {totals.processed} instance{totals.processed === 1 ? '' : 's'} handled, {totals.sent}{' '}
          sent, {totals.duplicates} already done, {totals.failed} failed.
        </p>
      )}
      {totals.failures.length > 0 && (
        <ul className="migrate-results" aria-label="Bulk send failures">
          {totals.failures.map((f) => (
            <li key={f.id}>
              <code>{f.id}</code>: <span className="bad">{f.message}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
