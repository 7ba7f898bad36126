import { useEffect } from 'react';

/**
 * Steps through an instance's history: the state after event 1 … N, or live.
 * Buttons, a slider (arrow keys, Home, End, Page Up/Down when focused) and, anywhere
 * on the page outside form fields, `[` and `]` for the previous and next event.
 */
export function TimeTravel(props: {
  /** The event viewed; null when following the live state. */
  seq: number | null;
  /** The newest event. */
  last: number;
  /** The viewed event's type, when known. */
  label?: string;
  loading: boolean;
  onChange(seq: number | null): void;
}) {
  const { seq, last, onChange } = props;
  const shown = seq ?? last;
  const go = (to: number) => onChange(to >= last ? null : Math.max(1, to));

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey) return;
      const target = e.target as HTMLElement | null;
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return;
      if (e.key === '[') onChange(Math.max(1, shown - 1));
      else if (e.key === ']') onChange(shown + 1 >= last ? null : shown + 1);
      else return;
      e.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [shown, last, onChange]);

  return (
    <section className={`time-travel${seq === null ? '' : ' travelling'}`} aria-label="Time travel">
      <div className="tt-buttons">
        <button type="button" onClick={() => go(1)} disabled={shown <= 1} title="First event">
          <span aria-hidden="true">«</span> First
        </button>
        <button
          type="button"
          onClick={() => go(shown - 1)}
          disabled={shown <= 1}
          title="Previous event ([)"
          aria-keyshortcuts="["
        >
          <span aria-hidden="true">◀</span> Previous
        </button>
        <button
          type="button"
          onClick={() => go(shown + 1)}
          disabled={seq === null}
          title="Next event (])"
          aria-keyshortcuts="]"
        >
          Next <span aria-hidden="true">▶</span>
        </button>
        <button
          type="button"
          className={seq === null ? undefined : 'primary'}
          onClick={() => onChange(null)}
          disabled={seq === null}
        >
          Live
        </button>
      </div>
      <label className="tt-slider">
        <span className="sr-only">Show the state after event</span>
        <input
          type="range"
          min={1}
          max={Math.max(1, last)}
          value={shown}
          onChange={(e) => go(Number(e.target.value))}
          aria-valuetext={`event ${shown} of ${last}${props.label ? `: ${props.label}` : ''}`}
        />
      </label>
      <p className="tt-where" aria-live="polite">
        {seq === null ? (
          <>
            Live: after event <strong>{last}</strong>
          </>
        ) : (
          <>
            The past: after event <strong>{seq}</strong> of {last}
            {props.label && (
              <>
                {' '}
                (<code>{props.label}</code>)
              </>
            )}
            {props.loading ? ' · replaying…' : ''}
          </>
        )}
      </p>
    </section>
  );
}
