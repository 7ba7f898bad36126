import { useEffect, useMemo, useRef, useState } from 'react';
import { type ApiError, getHistory, getInstance, getMachine, watchInstance } from '../api';
import { ChartView } from '../chart/ChartView';
import { activeIds, descriptorMatches, indexChart, valueLabel } from '../chart/model';
import { JsonTree } from '../components/JsonTree';
import { ProblemNote } from '../components/ProblemNote';
import { Timeline, type TimelineEntry } from '../components/Timeline';
import { formatAge, formatTime } from '../format';
import { useLoad, useNow } from '../hooks';
import { hrefs, Link } from '../router';
import type { ChartTransition, InstanceState } from '../types';
import { useStuckThreshold } from './Overview';
import { SendEvent } from './SendEvent';

type WatchStatus = 'connecting' | 'live' | 'ended' | 'error' | 'idle';

/**
 * One instance: the chart with its active configuration (and the transition
 * it took last) highlighted, its context, a form to send it an event, and
 * its timeline — all kept current by the watch stream.
 */
export function Instance({ machine, id }: { machine: string; id: string }) {
  const detail = useLoad(() => getMachine(machine), `detail:${machine}`);
  const [instance, setInstance] = useState<InstanceState | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [entries, setEntries] = useState<TimelineEntry[]>([]);
  const [historyDone, setHistoryDone] = useState(false);
  const [watch, setWatch] = useState<{ status: WatchStatus; detail?: string }>({ status: 'idle' });
  const [taken, setTaken] = useState<ReadonlySet<string>>(new Set());
  const lastSeq = useRef(0);
  const now = useNow(1000);
  const [threshold] = useStuckThreshold();
  const index = useMemo(
    () => (detail.data ? indexChart(detail.data.chart) : undefined),
    [detail.data],
  );
  const active = useMemo(
    () => (index && instance ? activeIds(index, instance.value) : new Set<string>()),
    [index, instance],
  );
  const activeRef = useRef(active);
  activeRef.current = active;
  const indexRef = useRef(index);
  indexRef.current = index;

  // Load: state, then the history in pages, then follow the watch stream from the last seq read.
  useEffect(() => {
    let live = true;
    let stop: (() => void) | undefined;
    setEntries([]);
    setHistoryDone(false);
    setInstance(undefined);
    setError(undefined);
    setTaken(new Set());
    lastSeq.current = 0;
    const refetch = () =>
      getInstance(machine, id).then(
        (s) => live && setInstance(s),
        (e: ApiError) => live && setError(e),
      );
    void (async () => {
      try {
        const first = await getInstance(machine, id);
        if (!live) return;
        setInstance(first);
        for (let after = 0; ; ) {
          const page = await getHistory(machine, id, after, 1000);
          if (!live) return;
          const fresh = page.events.filter((e) => e.seq > lastSeq.current);
          if (fresh.length > 0) {
            lastSeq.current = fresh.at(-1)?.seq ?? lastSeq.current;
            setEntries((old) => [...old, ...fresh.map((event) => ({ event }))]);
          }
          if (page.next === null) break;
          after = page.next;
        }
        setHistoryDone(true);
        const current = await getInstance(machine, id);
        if (!live) return;
        setInstance(current);
        if (current.status !== 'active') {
          setWatch({ status: 'ended' });
          return;
        }
        stop = watchInstance(machine, id, lastSeq.current, {
          onMessage: ({ event, state }) => {
            if (!live || event.seq <= lastSeq.current) return;
            lastSeq.current = event.seq;
            const after = state ? valueLabel(state.value) : undefined;
            setEntries((old) => [...old, { event, ...(after !== undefined && { after }) }]);
            if (state) {
              const idx = indexRef.current;
              if (idx)
                setTaken(
                  takenTransitions(
                    idx.chart.transitions,
                    activeRef.current,
                    activeIds(idx, state.value),
                    event.type,
                  ),
                );
              setInstance(state);
            } else void refetch();
          },
          onStatus: (status, detail) =>
            live && setWatch({ status, ...(detail !== undefined && { detail }) }),
        });
      } catch (e) {
        if (live) setError(e as ApiError);
      }
    })();
    return () => {
      live = false;
      stop?.();
    };
  }, [machine, id]);

  const age = instance ? now - instance.stateEnteredAt : 0;
  const stuck = instance?.status === 'active' && age >= threshold;
  return (
    <main id="main" className="instance">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href={hrefs.overview()}>Machines</Link> /{' '}
        <Link href={hrefs.machine(machine)}>{machine}</Link> / <span aria-current="page">{id}</span>
      </nav>
      <div className="page-head">
        <h1>
          {machine}/{id}
        </h1>
        <span className={`watch watch-${watch.status}`} role="status" title={watch.detail}>
          {watch.status === 'live'
            ? '● live'
            : watch.status === 'connecting'
              ? '○ connecting…'
              : watch.status === 'ended'
                ? 'finished: no more updates'
                : watch.status === 'error'
                  ? `reconnecting (${watch.detail ?? 'error'})`
                  : ''}
        </span>
      </div>
      {error && <ProblemNote error={error} action="Reading the instance" />}
      {detail.status === 'error' && (
        <ProblemNote error={detail.error} action="Reading the machine" />
      )}
      {instance && (
        <dl className="facts">
          <div>
            <dt>state</dt>
            <dd className="state-value" data-testid="instance-state">
              {valueLabel(instance.value)}
            </dd>
          </div>
          <div>
            <dt>status</dt>
            <dd>
              <span className={`status status-${instance.status}`}>{instance.status}</span>
            </dd>
          </div>
          <div>
            <dt>in state for</dt>
            <dd className={stuck ? 'stuck-age' : undefined}>
              {formatAge(age)}
              {stuck ? ' · stuck' : ''}
            </dd>
          </div>
          <div>
            <dt>version</dt>
            <dd>{instance.version}</dd>
          </div>
          <div>
            <dt>seq</dt>
            <dd>{instance.seq}</dd>
          </div>
          <div>
            <dt>created</dt>
            <dd>{formatTime(instance.createdAt)}</dd>
          </div>
        </dl>
      )}
      <section className="card" aria-label="Statechart">
        {detail.data && (
          <ChartView
            chart={detail.data.chart}
            label={`Statechart of ${machine}; the active states of ${id} are highlighted`}
            active={active}
            taken={taken}
          />
        )}
      </section>
      <div className="instance-grid">
        {detail.data && index && instance && (
          <section className="card">
            <SendEvent
              detail={detail.data}
              index={index}
              active={active}
              instance={instance}
              onSent={(s) => setInstance((old) => (old && old.seq > s.seq ? old : s))}
            />
          </section>
        )}
        {instance && (
          <section className="card" aria-labelledby="context-title">
            <h2 id="context-title">Context</h2>
            <div className="json">
              <JsonTree value={instance.context} />
            </div>
          </section>
        )}
      </div>
      <section className="card">
        <Timeline entries={entries} loading={!historyDone} />
      </section>
    </main>
  );
}

/** The transitions an event most likely took: handlers of its type on a state active before, landing in states active after. */
function takenTransitions(
  transitions: readonly ChartTransition[],
  before: ReadonlySet<string>,
  after: ReadonlySet<string>,
  type: string,
): Set<string> {
  return new Set(
    transitions
      .filter(
        (t) =>
          before.has(t.source) &&
          (t.kind === 'event'
            ? descriptorMatches(t.event, type)
            : t.event === type || type.startsWith(`${t.event}.`)) &&
          t.targets.every((target) => after.has(target)),
      )
      .map((t) => t.id),
  );
}
