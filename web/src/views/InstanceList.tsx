import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useRef, useState } from 'react';
import { type ApiError, type ListFilter, listInstances } from '../api';
import { valueLabel } from '../chart/model';
import { ProblemNote } from '../components/ProblemNote';
import { formatAge, formatTime } from '../format';
import { useNow } from '../hooks';
import { hrefs, Link } from '../router';
import type { InstanceState } from '../types';

const PAGE = 200;

/**
 * Instances of a machine matching a filter: pages read with the server's
 * cursor as the list scrolls, rows virtualized, refreshed every few seconds
 * (the pages already read are read again). Every filter (id prefix and
 * version included) is the server's. Rows can be selected, for bulk actions.
 */
export function InstanceList(props: {
  machine: string;
  filter: ListFilter;
  live: boolean;
  threshold: number;
  /** Selected ids, when the list offers selection. */
  selected?: ReadonlySet<string>;
  onSelect?(ids: ReadonlySet<string>): void;
  /** Told what the list holds now, for "select all". */
  onItems?(items: readonly InstanceState[]): void;
}) {
  const [items, setItems] = useState<InstanceState[]>([]);
  const [next, setNext] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>();
  const [loading, setLoading] = useState(false);
  const filterKey = JSON.stringify([props.machine, props.filter]);
  const generation = useRef(0);
  const now = useNow(1000);

  const readPages = useCallback(
    async (pages: number) => {
      const [machine, filter] = JSON.parse(filterKey) as [string, ListFilter];
      const gen = ++generation.current;
      setLoading(true);
      try {
        const read: InstanceState[] = [];
        let cursor: string | null = null;
        for (let i = 0; i < pages; i++) {
          const page = await listInstances(machine, filter, { cursor, limit: PAGE });
          read.push(...page.instances);
          cursor = page.next;
          if (!cursor) break;
        }
        if (gen !== generation.current) return;
        setItems(read);
        setNext(cursor);
        setError(undefined);
      } catch (e) {
        if (gen === generation.current) setError(e as ApiError);
      } finally {
        if (gen === generation.current) setLoading(false);
      }
    },
    [filterKey],
  );

  useEffect(() => {
    setItems([]);
    setNext(undefined);
    void readPages(1);
  }, [readPages]);

  const pagesRead = Math.max(1, Math.ceil(items.length / PAGE));
  useEffect(() => {
    if (!props.live) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') void readPages(Math.min(pagesRead, 10));
    }, 5000);
    return () => clearInterval(timer);
  }, [props.live, readPages, pagesRead]);

  const loadMore = useCallback(async () => {
    if (!next || loading) return;
    const gen = generation.current;
    setLoading(true);
    try {
      const page = await listInstances(props.machine, props.filter, { cursor: next, limit: PAGE });
      if (gen !== generation.current) return;
      setItems((old) => [...old, ...page.instances]);
      setNext(page.next);
    } catch (e) {
      setError(e as ApiError);
    } finally {
      setLoading(false);
    }
  }, [next, loading, props.machine, props.filter]);

  const shown = items;
  const { onItems } = props;
  useEffect(() => onItems?.(items), [items, onItems]);
  const selected = props.selected;
  const toggle = (id: string) => {
    if (!selected || !props.onSelect) return;
    const next = new Set(selected);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    props.onSelect(next);
  };
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: shown.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 38,
    overscan: 10,
  });
  const last = virtual.getVirtualItems().at(-1);
  useEffect(() => {
    if (last && last.index >= shown.length - 20 && next) void loadMore();
  }, [last, shown.length, next, loadMore]);

  return (
    <section className="instances" aria-labelledby="instances-title">
      <h2 id="instances-title">
        Instances{' '}
        <span className="muted">
          ({shown.length}
          {next ? '+' : ''} shown{loading ? ', loading…' : ''})
        </span>
      </h2>
      {error && <ProblemNote error={error} action="Listing instances" />}
      <div className={`list-head${selected ? ' selectable' : ''}`} aria-hidden="true">
        {selected && <span />}
        <span>id</span>
        <span>state</span>
        <span>status</span>
        <span>in state for</span>
        <span>updated</span>
        <span className="num">seq</span>
      </div>
      <div
        className="list-scroll"
        ref={scroller}
        style={{ height: Math.max(80, Math.min(virtual.getTotalSize() + 2, 560)) }}
      >
        {shown.length === 0 && !loading && <p className="muted empty">No instances match.</p>}
        <ul
          className="list-body"
          style={{ height: virtual.getTotalSize() }}
          aria-label={`Instances of ${props.machine}`}
        >
          {virtual.getVirtualItems().map((item) => {
            const s = shown[item.index];
            if (!s) return null;
            const age = now - s.stateEnteredAt;
            const stuck = s.status === 'active' && age >= props.threshold;
            return (
              <li
                key={s.id}
                className={`list-row${stuck ? ' stuck' : ''}${selected ? ' selectable' : ''}`}
                style={{ transform: `translateY(${item.start}px)` }}
                aria-setsize={next ? -1 : shown.length}
                aria-posinset={item.index + 1}
              >
                {selected && (
                  <input
                    type="checkbox"
                    checked={selected.has(s.id)}
                    onChange={() => toggle(s.id)}
                    aria-label={`Select ${s.id}`}
                  />
                )}
                <Link href={hrefs.instance(props.machine, s.id)} className="id">
                  {s.id}
                </Link>
                <span className="state-value">
                  {valueLabel(s.value)}
                  <span className="muted version-tag" title={`version ${s.version}`}>
                    {' '}
                    v{s.version}
                  </span>
                </span>
                <span className={`status status-${s.status}`}>{s.status}</span>
                <span className={stuck ? 'stuck-age' : undefined}>
                  {formatAge(age)}
                  {stuck ? ' · stuck' : ''}
                </span>
                <time dateTime={new Date(s.updatedAt).toISOString()}>
                  {formatTime(s.updatedAt)}
                </time>
                <span className="num">{s.seq}</span>
              </li>
            );
          })}
        </ul>
      </div>
      {next && (
        <button type="button" onClick={() => void loadMore()} disabled={loading}>
          Load more
        </button>
      )}
    </section>
  );
}
