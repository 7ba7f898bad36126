import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  type ApiError,
  getAudit,
  getHistory,
  getInstance,
  getMachine,
  getPending,
  getPermissions,
  getStateAt,
  watchInstance,
} from '../api';
import { ChartView } from '../chart/ChartView';
import { activeIds, descriptorMatches, indexChart, valueLabel } from '../chart/model';
import { JsonTree } from '../components/JsonTree';
import { ProblemNote } from '../components/ProblemNote';
import { type AuditLine, Timeline, type TimelineEntry } from '../components/Timeline';
import { Timers } from '../components/Timers';
import { TimeTravel } from '../components/TimeTravel';
import { formatAge, formatTime } from '../format';
import { useLoad, useNow } from '../hooks';
import { hrefs, Link } from '../router';
import type {
  ChartTransition,
  InstanceAccess,
  InstanceState,
  PastState,
  PendingWork,
} from '../types';
import { useStuckThreshold } from './Overview';
import { SendEvent } from './SendEvent';

type WatchStatus = 'connecting' | 'live' | 'ended' | 'error' | 'idle';

/**
 * One instance: the chart with its active configuration (and the transition
 * it took last) highlighted, its context, timers, a form to send it an event,
 * and its timeline — all kept current by the watch stream. Time travel shows
 * chart, context and timers as they were after any earlier event (the server
 * replays the history to it).
 */
export function Instance({ machine, id }: { machine: string; id: string }) {
  const [instance, setInstance] = useState<InstanceState | undefined>();
  const [error, setError] = useState<ApiError | undefined>();
  const [entries, setEntries] = useState<TimelineEntry[]>([]);
  const [historyDone, setHistoryDone] = useState(false);
  const [watch, setWatch] = useState<{ status: WatchStatus; detail?: string }>({ status: 'idle' });
  const [taken, setTaken] = useState<ReadonlySet<string>>(new Set());
  const lastSeq = useRef(0);
  const [travel, setTravel] = useState<number | null>(null);
  const pending = usePending(machine, id, instance?.seq);
  // Live, what it waits for comes from the pending route; without it (an older server), from replay.
  const pastAt = usePastState(
    machine,
    id,
    travel ?? (pending === 'missing' ? (instance?.seq ?? null) : null),
  );
  const permissions = usePermissions(machine, id, instance?.seq);
  const now = useNow(1000);
  const [threshold] = useStuckThreshold();
  // The live instance's version (for the form), and the version of the state shown (for the chart).
  const liveVersion = instance?.version;
  const detail = useLoad(
    () => getMachine(machine, liveVersion),
    `detail:${machine}:${liveVersion ?? ''}`,
  );
  const index = useMemo(
    () => (detail.data ? indexChart(detail.data.chart) : undefined),
    [detail.data],
  );
  // While the next past state loads, the one shown stays (labelled with its own seq).
  const past = travel !== null ? pastAt.state : undefined;
  /** What the chart, context and facts show: the past state when travelling, else the live one. */
  const shown = travel !== null ? past : instance;
  const shownVersion = shown?.version ?? liveVersion;
  const chartDetail = useLoad(
    () => getMachine(machine, shownVersion),
    `detail:${machine}:${shownVersion ?? ''}`,
  );
  const chartIndex = useMemo(
    () => (chartDetail.data ? indexChart(chartDetail.data.chart) : undefined),
    [chartDetail.data],
  );
  const active = useMemo(
    () => (chartIndex && shown ? activeIds(chartIndex, shown.value) : new Set<string>()),
    [chartIndex, shown],
  );
  const liveActive = useMemo(
    () => (index && instance ? activeIds(index, instance.value) : new Set<string>()),
    [index, instance],
  );
  const activeRef = useRef(liveActive);
  activeRef.current = liveActive;
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
    setTravel(null);
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

  const age = shown ? (past ? past.event.recordedAt : now) - shown.stateEnteredAt : 0;
  const stuck = !past && instance?.status === 'active' && age >= threshold;
  const audit = useAuditLines(machine, id, instance?.seq);
  const withAudit = useMemo(() => mergeByTime(entries, audit), [entries, audit]);
  const onTravel = useCallback((seq: number | null) => setTravel(seq), []);
  const viewed = travel ?? instance?.seq;
  const viewedType = viewed !== undefined ? entries[viewed - 1]?.event.type : undefined;
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
        <TimeTravel
          seq={travel}
          last={instance.seq}
          {...(viewedType !== undefined && { label: viewedType })}
          loading={travel !== null && pastAt.state?.seq !== travel}
          onChange={onTravel}
        />
      )}
      {pastAt.error && travel !== null && (
        <ProblemNote error={pastAt.error} action="Replaying the history" />
      )}
      {shown && (
        <dl className={`facts${past ? ' past' : ''}`}>
          <div>
            <dt>state</dt>
            <dd className="state-value" data-testid="instance-state">
              {valueLabel(shown.value)}
            </dd>
          </div>
          <div>
            <dt>status</dt>
            <dd>
              <span className={`status status-${shown.status}`}>{shown.status}</span>
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
            <dd>{shown.version}</dd>
          </div>
          <div>
            <dt>seq</dt>
            <dd>{past ? `${past.seq} of ${instance?.seq ?? past.seq}` : shown.seq}</dd>
          </div>
          {past ? (
            <div>
              <dt>recorded</dt>
              <dd>{formatTime(past.event.recordedAt)}</dd>
            </div>
          ) : (
            instance && (
              <div>
                <dt>created</dt>
                <dd>{formatTime(instance.createdAt)}</dd>
              </div>
            )
          )}
        </dl>
      )}
      <section className="card" aria-label="Statechart">
        {chartDetail.data && (
          <ChartView
            chart={chartDetail.data.chart}
            label={
              past
                ? `Statechart of ${machine}; the states of ${id} after event ${past.seq} are highlighted`
                : `Statechart of ${machine}; the active states of ${id} are highlighted`
            }
            active={active}
            taken={past ? new Set<string>() : taken}
          />
        )}
      </section>
      <div className="instance-grid">
        {detail.data && index && instance && (
          <section className="card">
            <SendEvent
              detail={detail.data}
              index={index}
              active={liveActive}
              instance={instance}
              {...(permissions && { permissions: permissions.events })}
              {...(travel !== null && {
                paused: `You are looking at the past (event ${travel}). Go back to live to send an event.`,
              })}
              onSent={(s) => setInstance((old) => (old && old.seq > s.seq ? old : s))}
            />
          </section>
        )}
        {shown && (
          <section className="card" aria-labelledby="context-title">
            <h2 id="context-title">
              Context{past && <span className="muted"> after event {past.seq}</span>}
            </h2>
            <div className="json">
              <JsonTree value={shown.context} />
            </div>
          </section>
        )}
        {travel === null && pending !== undefined && pending !== 'missing' ? (
          <section className="card">
            <Timers
              timers={pending.timers}
              activities={[]}
              effects={pending.effects}
              from={now}
              past={false}
            />
          </section>
        ) : (
          pastAt.state && (
            <section className="card">
              <Timers
                timers={pastAt.state.timers}
                activities={pastAt.state.activities}
                from={past ? past.event.recordedAt : now}
                past={past !== undefined}
              />
            </section>
          )
        )}
      </div>
      <section className="card">
        <Timeline
          entries={withAudit}
          loading={!historyDone}
          {...(travel !== null && { selected: travel })}
          onTravel={(seq) => setTravel(instance && seq >= instance.seq ? null : seq)}
        />
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

/**
 * The state after `seq` from the replay route (cached per seq). Also read for
 * the live state, for its pending timers and activities.
 */
function usePastState(
  machine: string,
  id: string,
  seq: number | null,
): { state?: PastState; error?: ApiError } {
  const [result, setResult] = useState<{ state?: PastState; error?: ApiError }>({});
  useEffect(() => {
    if (seq === null) return;
    let live = true;
    // A short pause: holding ] down steps quickly and asks only for where it stops.
    const timer = setTimeout(() => {
      getStateAt(machine, id, seq).then(
        (state) => live && setResult({ state }),
        (error: ApiError) => live && setResult((r) => ({ ...r, error })),
      );
    }, 60);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [machine, id, seq]);
  return result;
}

/** What the caller may send to the instance, read again after every event (guards look at the state). */
function usePermissions(machine: string, id: string, seq: number | undefined) {
  const [access, setAccess] = useState<InstanceAccess | undefined>();
  useEffect(() => {
    if (seq === undefined) return;
    let live = true;
    getPermissions(machine, id).then(
      (a) => live && setAccess(a),
      // An older server without the route: the form falls back to what a 403 says.
      () => live && setAccess(undefined),
    );
    return () => {
      live = false;
    };
  }, [machine, id, seq]);
  return access;
}

/** GET …/pending after every event and every 5 s (retries move on their own); 'missing' without the route. */
function usePending(
  machine: string,
  id: string,
  seq: number | undefined,
): PendingWork | 'missing' | undefined {
  const [work, setWork] = useState<PendingWork | 'missing' | undefined>();
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => setTick((t) => t + 1), 5000);
    return () => clearInterval(timer);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: seq and tick are the triggers
  useEffect(() => {
    if (seq === undefined) return;
    let live = true;
    getPending(machine, id).then(
      (w) => live && setWork(w),
      (e: ApiError) =>
        live && e.status === 404 && e.code !== 'INSTANCE_NOT_FOUND' && setWork('missing'),
    );
    return () => {
      live = false;
    };
  }, [machine, id, seq, tick]);
  return work;
}

/**
 * Audit rows that recorded no event (rejections, discards), read again after
 * every event and every 10 s (a rejection moves no seq). Empty without the route.
 */
function useAuditLines(machine: string, id: string, seq: number | undefined): AuditLine[] {
  const [lines, setLines] = useState<AuditLine[]>([]);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, 10_000);
    return () => clearInterval(timer);
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: seq and tick are the triggers
  useEffect(() => {
    if (seq === undefined) return;
    let live = true;
    getAudit(machine, id).then(
      (entries) =>
        live &&
        setLines(
          entries
            .filter((a) => a.outcome !== 'applied' && a.outcome !== 'duplicate')
            .map((audit) => ({ audit })),
        ),
      () => {},
    );
    return () => {
      live = false;
    };
  }, [machine, id, seq, tick]);
  return lines;
}

/** Events and audit lines in time order (events keep their seq order; ties go to the event). */
function mergeByTime(
  events: readonly TimelineEntry[],
  audit: readonly AuditLine[],
): (TimelineEntry | AuditLine)[] {
  if (audit.length === 0) return events as TimelineEntry[];
  const out: (TimelineEntry | AuditLine)[] = [];
  let j = 0;
  for (const entry of events) {
    while (j < audit.length && (audit[j] as AuditLine).audit.at < entry.event.recordedAt) {
      out.push(audit[j] as AuditLine);
      j++;
    }
    out.push(entry);
  }
  for (; j < audit.length; j++) out.push(audit[j] as AuditLine);
  return out;
}
