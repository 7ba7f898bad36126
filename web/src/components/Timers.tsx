import { formatAge, formatTime } from '../format';
import type { PastState } from '../types';

/**
 * Pending timers (with countdowns) and running activities. Live, a countdown
 * runs against now; in the past, against the viewed event's time.
 */
export function Timers(props: {
  timers: PastState['timers'];
  activities: PastState['activities'];
  /** The time the countdowns count from. */
  from: number;
  past: boolean;
}) {
  const { timers, activities, from } = props;
  return (
    <section className="timers" aria-labelledby="timers-title">
      <h2 id="timers-title">Timers and activities</h2>
      {timers.length === 0 && activities.length === 0 && (
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
