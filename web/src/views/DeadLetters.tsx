import { useState } from 'react';
import { type ApiError, actOnDeadLetter, listDeadLetters } from '../api';
import { ProblemNote } from '../components/ProblemNote';
import { useLoad } from '../hooks';
import { hrefs, Link } from '../router';
import type { DeadLetter } from '../types';
import { accessOf, useWhoAmI } from '../whoami';

/** What a dead letter was: the timer's event, the effect's action, activity or send. */
function whatOf(d: DeadLetter): string {
  if (d.timer) return `timer ${d.timer.event.type}`;
  const e = d.effect?.effect;
  return e ? `${e.kind}${e.type ? ` ${e.type}` : e.src ? ` ${e.src}` : ''}` : d.kind;
}

/**
 * Dead letters: timers and effects whose last retry failed, with their error.
 * Retry puts one back in line (due now); discard deletes it, after a
 * confirmation. Both need the machine's `operate` rule: without it the buttons
 * are disabled and say why.
 */
export function DeadLetters() {
  const list = useLoad(() => listDeadLetters(100), 'dead-letters', 5000);
  const me = useWhoAmI();
  const [confirm, setConfirm] = useState<string | undefined>();
  const [done, setDone] = useState<Record<string, string>>({});
  /** The last action's outcome: stays when its row leaves the list. */
  const [note, setNote] = useState<string | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const letters = list.data?.deadLetters ?? [];

  const act = async (d: DeadLetter, action: 'retry' | 'discard') => {
    setConfirm(undefined);
    try {
      await actOnDeadLetter(d.ref, action);
      const what = action === 'retry' ? 'retried: back in line' : 'discarded';
      setDone((x) => ({ ...x, [d.ref]: what }));
      setNote(`${whatOf(d)} of ${d.machine}/${d.id} ${what}.`);
      setError(undefined);
      list.reload();
    } catch (e) {
      setError(e as ApiError);
    }
  };

  return (
    <section className="card dead-letters" aria-labelledby="dead-title">
      <h2 id="dead-title">
        Dead letters{' '}
        <span className="muted">
          ({list.data ? `${letters.length}${list.data.truncated ? '+' : ''}` : '…'})
        </span>
      </h2>
      {list.status === 'error' && <ProblemNote error={list.error} action="Listing dead letters" />}
      {error && <ProblemNote error={error} action="Acting on a dead letter" />}
      <p className={note ? 'success' : undefined} role="status" aria-label="Last action">
        {note}
      </p>
      {list.data && letters.length === 0 && (
        <p className="muted">None: every timer and effect ran or is still being retried.</p>
      )}
      {letters.length > 0 && (
        <ul className="dead-list" aria-label="Dead letters">
          {letters.map((d) => {
            const operate = accessOf(me, d.machine)?.operate;
            const denied = operate !== undefined && operate !== true ? operate : undefined;
            const reasonId = `dead-why-${d.ref.replace(/[^A-Za-z0-9]/g, '-')}`;
            return (
              <li key={d.ref}>
                <div className="dead-what">
                  <Link href={hrefs.instance(d.machine, d.id)}>
                    {d.machine}/{d.id}
                  </Link>{' '}
                  <code>{whatOf(d)}</code>{' '}
                  <span className="muted">
                    after {d.attempts} attempt{d.attempts === 1 ? '' : 's'}
                  </span>
                  {d.lastError && <div className="dead-error">{d.lastError}</div>}
                </div>
                <div className="dead-actions">
                  {done[d.ref] ? (
                    <span className="success">{done[d.ref]}</span>
                  ) : confirm === d.ref ? (
                    <>
                      <span>Discard it for good?</span>
                      <button
                        type="button"
                        className="danger"
                        onClick={() => void act(d, 'discard')}
                      >
                        Yes, discard
                      </button>
                      <button type="button" onClick={() => setConfirm(undefined)}>
                        Keep it
                      </button>
                    </>
                  ) : (
                    <>
                      <button
                        type="button"
                        disabled={denied !== undefined}
                        aria-describedby={denied ? reasonId : undefined}
                        onClick={() => void act(d, 'retry')}
                        aria-label={`Retry ${whatOf(d)} of ${d.machine}/${d.id}`}
                      >
                        Retry
                      </button>
                      <button
                        type="button"
                        disabled={denied !== undefined}
                        aria-describedby={denied ? reasonId : undefined}
                        onClick={() => setConfirm(d.ref)}
                        aria-label={`Discard ${whatOf(d)} of ${d.machine}/${d.id}`}
                      >
                        Discard
                      </button>
                      {denied && (
                        <span className="disabled-reason" id={reasonId}>
                          {denied}
                        </span>
                      )}
                    </>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
