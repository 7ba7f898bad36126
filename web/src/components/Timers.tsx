import { formatAge, formatTime } from '../format';
import type { PastState, PendingWork } from '../types';

/**
 * Pending timers (with countdowns) and running activities. Live, a countdown
 * runs against now; in the past, against the viewed event's time.
 */
export function Timers(props: {
  timers: PastState['timers'];
  activities: PastState['activities'];
  /** Unfinished effects (live only): activities, actions, sends, with their attempts. */
  effects?: PendingWork['effects'];
  /** The time the countdowns count from. */
  from: number;
  past: boolean;
}) {
  const { timers, activities, from } = props;
  const effects = props.effects ?? [];
  return (
    <section className="timers" aria-labelledby="timers-title">
      <h2 id="timers-title">Timers and activities</h2>
      {timers.length === 0 && activities.length === 0 && effects.length === 0 && (
        <p className="muted">None pending{props.past ? ' after this event' : ''}.</p>
      )}
      {timers.length > 0 && (
        <ul className="timer-list" aria-label="Pending timers">
          {timers.map((t) => {
            const left = t.dueAt - from;
            return (
              <li key={t.timerId}>
                <code className="timer-event">{t.event.type}</code>
                <span className={left <= 0 ? 'overdue' : undefined}>
                  {left > 0 ? `due in ${formatAge(left)}` : `due ${formatAge(-left)} ago`}
                </span>
                <time className="muted" dateTime={new Date(t.dueAt).toISOString()}>
                  {formatTime(t.dueAt)}
                </time>
                <span className="muted">set by event {t.setBySeq}</span>
              </li>
            );
          })}
        </ul>
      )}
      {effects.length > 0 && (
        <ul className="timer-list" aria-label="Unfinished effects">
          {effects.map((e) => {
            const wait = e.nextAttemptAt - from;
            return (
              <li key={e.effectId}>
                <code className="timer-event">
                  {e.effect.kind} {e.effect.src ?? e.effect.type ?? ''}
                </code>
                <span className={e.status === 'dead' ? 'overdue' : undefined}>
                  {e.status === 'dead'
                    ? 'dead letter'
                    : e.status === 'started'
                      ? 'running'
                      : wait > 0
                        ? `next attempt in ${formatAge(wait)}`
                        : 'due now'}
                </span>
                <span className="muted">
                  {e.attempts} failed attempt{e.attempts === 1 ? '' : 's'}
                </span>
                {e.lastError && <span className="dead-error">{e.lastError}</span>}
              </li>
            );
          })}
        </ul>
      )}
      {activities.length > 0 && (
        <ul className="timer-list" aria-label="Running activities">
          {activities.map((a) => (
            <li key={a.activityId}>
              <code className="timer-event">{a.src}</code>
              <span>running</span>
              <span className="muted">{a.activityId}</span>
              <span className="muted">started by event {a.startedBySeq}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
