import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, useState } from 'react';
import { formatTime, preview } from '../format';
import type { AuditEntry, EventRow } from '../types';
import { JsonTree } from './JsonTree';

export interface TimelineEntry {
  readonly event: EventRow;
  /** The state after the event, when known (live transitions carry it). */
  readonly after?: string;
}

/** A decision that recorded no event (a rejection, a discard), from the audit log, in its place. */
export interface AuditLine {
  readonly audit: AuditEntry;
}

const OUTCOME: Record<AuditEntry['outcome'], string> = {
  applied: 'applied',
  duplicate: 'duplicate',
  rejected_invalid: 'rejected: not accepted',
  rejected_auth: 'rejected: not allowed',
  rejected_error: 'rejected: failed',
  discarded: 'discarded',
};

/**
 * An instance's events, newest first, virtualized: only the rows in view are
 * in the DOM, so 10,000 events scroll as smoothly as ten. A row opens to show
 * its payload as a tree (Enter or click) and a button to travel back to the
 * state after it. The event viewed (`selected`) is marked and kept in view.
 */
export function Timeline({
  entries,
  loading,
  selected,
  onTravel,
}: {
  entries: readonly (TimelineEntry | AuditLine)[];
  loading: boolean;
  selected?: number;
  onTravel?(seq: number): void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const rows = entries.length;
  const eventCount = entries.reduce((n, e) => n + ('event' in e ? 1 : 0), 0);
  const virtual = useVirtualizer({
    count: rows,
    getScrollElement: () => scroller.current,
    estimateSize: () => 44,
    overscan: 8,
    getItemKey: (i) => {
      const entry = entries[rows - 1 - i];
      if (!entry) return i;
      return 'audit' in entry ? `a${entry.audit.position}` : entry.event.seq;
    },
  });
  // Keep the viewed event in view while stepping through history.
  const selectedIndex =
    selected === undefined
      ? -1
      : entries.findIndex((e) => 'event' in e && e.event.seq === selected);
  const scrollTo = useRef<() => void>(() => {});
  scrollTo.current = () => {
    if (selectedIndex >= 0) virtual.scrollToIndex(rows - 1 - selectedIndex, { align: 'auto' });
  };
  // Only when the viewed event changes: a live event arriving must not move the list.
  // biome-ignore lint/correctness/useExhaustiveDependencies: selected is the trigger
  useEffect(() => scrollTo.current(), [selected]);
  const toggle = (seq: number) =>
    setOpen((s) => {
      const next = new Set(s);
      if (next.has(seq)) next.delete(seq);
      else next.add(seq);
      return next;
    });

  return (
    <section className="timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">
        Timeline{' '}
        <span className="muted">
          ({eventCount} event{eventCount === 1 ? '' : 's'}
          {rows > eventCount ? `, ${rows - eventCount} rejected` : ''}
          {loading ? ', loading…' : ''})
        </span>
      </h2>
      <div className="timeline-head" aria-hidden="true">
        <span>seq</span>
        <span>event</span>
        <span>actor</span>
        <span>recorded</span>
        <span>payload</span>
      </div>
      <div
        className="timeline-scroll"
        ref={scroller}
        style={{ height: Math.min(virtual.getTotalSize() + 2, 480) }}
      >
        <ol
          className="timeline-list"
          style={{ height: virtual.getTotalSize() }}
          aria-label="Events, newest first"
        >
          {virtual.getVirtualItems().map((item) => {
            const entry = entries[rows - 1 - item.index];
            if (!entry) return null;
            if ('audit' in entry) {
              const a = entry.audit;
              return (
                <li
                  key={item.key}
                  data-index={item.index}
                  data-audit={a.outcome}
                  ref={virtual.measureElement}
                  className="timeline-row audit-row"
                  style={{ transform: `translateY(${item.start}px)` }}
                  aria-setsize={rows}
                  aria-posinset={item.index + 1}
                >
                  <div className="timeline-line">
                    <span className="seq" title="Not recorded as an event">
                      –
                    </span>
                    <span className="type">
                      {a.eventType} <span className="outcome">{OUTCOME[a.outcome]}</span>
                    </span>
                    <span className="actor">
                      {a.actor ? a.actor.id : <span className="muted">anonymous</span>}
                    </span>
                    <time dateTime={new Date(a.at).toISOString()}>{formatTime(a.at)}</time>
                    <span className="payload" title={a.reason ?? undefined}>
                      {a.reason ?? ''}
                    </span>
                  </div>
                </li>
              );
            }
            const e = entry.event;
            const expanded = open.has(e.seq);
            return (
              <li
                key={item.key}
                data-index={item.index}
                data-seq={e.seq}
                ref={virtual.measureElement}
                className={`timeline-row${e.seq === selected ? ' selected' : ''}${selected !== undefined && e.seq > selected ? ' future' : ''}`}
                aria-current={e.seq === selected ? 'step' : undefined}
                style={{ transform: `translateY(${item.start}px)` }}
                aria-setsize={rows}
                aria-posinset={item.index + 1}
              >
                <button
                  type="button"
                  className="timeline-line"
                  aria-expanded={expanded}
                  onClick={() => toggle(e.seq)}
                >
                  <span className="seq">{e.seq}</span>
                  <span className="type">
                    {e.type}
                    {entry.after && <span className="muted"> → {entry.after}</span>}
                  </span>
                  <span
                    className="actor"
                    title={
                      e.actor
                        ? e.actor.id
                        : 'No actor recorded (the server runs without authentication)'
                    }
                  >
                    {e.actor ? e.actor.id : <span className="muted">anonymous</span>}
                  </span>
                  <time dateTime={new Date(e.recordedAt).toISOString()}>
                    {formatTime(e.recordedAt)}
                  </time>
                  <span className="payload">
                    {Object.keys(e.payload).length > 0 ? (
                      preview(e.payload, 80)
                    ) : (
                      <span className="muted">{'{}'}</span>
                    )}
                  </span>
                </button>
                {expanded && (
                  <div className="timeline-detail">
                    {onTravel && e.seq !== selected && (
                      <button type="button" className="travel" onClick={() => onTravel(e.seq)}>
                        Show the state after event {e.seq}
                      </button>
                    )}
                    <JsonTree value={e.payload} name="payload" />
                    {e.actor && <JsonTree value={e.actor} name="actor" />}
                    {e.idempotencyKey && (
                      <div className="json-leaf">
                        <span className="json-key">idempotency key: </span>
                        <code>{e.idempotencyKey}</code>
                      </div>
                    )}
                    {e.traceContext && <JsonTree value={e.traceContext} name="trace" />}
                  </div>
                )}
              </li>
            );
          })}
        </ol>
      </div>
    </section>
  );
}
