import { useCallback, useMemo, useState } from 'react';
import { getMachine, getVersions, type ListFilter, machineStats } from '../api';
import { ChartView } from '../chart/ChartView';
import { indexChart } from '../chart/model';
import { ProblemNote } from '../components/ProblemNote';
import { parseDuration } from '../format';
import { useLoad } from '../hooks';
import { hrefs, Link, navigate } from '../router';
import { type InstanceState, type InstanceStatus, STATUSES } from '../types';
import { accessOf, useWhoAmI } from '../whoami';
import { BulkSend } from './BulkSend';
import { InstanceList } from './InstanceList';
import { MigrateSelection } from './MigrateSelection';
import { useStuckThreshold } from './Overview';
import { Versions } from './Versions';

/**
 * One machine: its chart with instance counts as heat, its versions with live
 * counts, and its instances with filters; select instances to migrate them.
 */
export function Machine({ machine, query }: { machine: string; query: URLSearchParams }) {
  const detail = useLoad(() => getMachine(machine), `detail:${machine}`);
  const stats = useLoad(() => machineStats(machine), `stats:${machine}`, 5000);
  const versions = useLoad(() => getVersions(machine), `versions:${machine}`, 5000);
  const access = accessOf(useWhoAmI(), machine);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [items, setItems] = useState<readonly InstanceState[]>([]);
  const onItems = useCallback((list: readonly InstanceState[]) => setItems(list), []);
  const [threshold] = useStuckThreshold();
  const index = useMemo(
    () => (detail.data ? indexChart(detail.data.chart) : undefined),
    [detail.data],
  );
  const heat = useMemo(() => {
    if (!index || !stats.data) return undefined;
    const map = new Map<string, number>();
    for (const s of index.states) {
      if (s.path.length > 0) map.set(s.id, stats.data.byState.get(s.path.join('.'))?.count ?? 0);
    }
    return map;
  }, [index, stats.data]);

  const state = query.get('state') ?? '';
  const statusText = query.get('status') ?? '';
  const status = STATUSES.includes(statusText as InstanceStatus)
    ? (statusText as InstanceStatus)
    : undefined;
  const minText = query.get('min') ?? '';
  const prefix = query.get('prefix') ?? '';
  const version = query.get('version') ?? '';
  const live = query.get('live') !== 'off';
  const minTimeInState = parseDuration(minText);
  const filter: ListFilter = {
    ...(state && { state }),
    ...(status && { status }),
    ...(minTimeInState !== undefined && { minTimeInState }),
    ...(/^[A-Za-z0-9._:@~-]{1,200}$/.test(prefix) && { idPrefix: prefix }),
    ...(version && { version }),
  };
  const set = (key: string, value: string) => {
    const q = new URLSearchParams(query);
    if (value) q.set(key, value);
    else q.delete(key);
    navigate(hrefs.machine(machine, Object.fromEntries(q)), { replace: true });
  };
  const selectedId = state && index ? index.byPath.get(state)?.id : undefined;

  return (
    <main id="main" className="machine">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link href={hrefs.overview()}>Machines</Link> / <span aria-current="page">{machine}</span>
      </nav>
      <div className="page-head">
        <h1>{machine}</h1>
        {detail.data && (
          <span className="muted">
            {versions.data && versions.data.versions.length > 1
              ? `${versions.data.versions.length} versions, newest ${detail.data.latest}`
              : `version ${detail.data.latest}`}{' '}
            · {detail.data.events.length} event types ·{' '}
            {stats.data ? `${stats.data.total} instances` : 'counting…'}
          </span>
        )}
      </div>
      {detail.status === 'error' && (
        <ProblemNote error={detail.error} action="Reading the machine" />
      )}
      {stats.status === 'error' && <ProblemNote error={stats.error} action="Counting instances" />}
      {detail.data && (
        <section className="card" aria-label="Statechart">
          <ChartView
            chart={detail.data.chart}
            label={`Statechart of ${machine} with instance counts per state`}
            {...(heat && { heat })}
            selected={selectedId}
            onSelect={(s) => set('state', s.path.join('.') === state ? '' : s.path.join('.'))}
          />
          <p className="hint">Select a state to list its instances (its substates included).</p>
        </section>
      )}
      {versions.data && (
        <section className="card">
          <Versions list={versions.data} />
        </section>
      )}
      {versions.status === 'error' && (
        <ProblemNote error={versions.error} action="Reading the versions" />
      )}
      <section className="card" aria-label="Instances">
        <form
          className="filters"
          onSubmit={(e) => e.preventDefault()}
          aria-label="Filter instances"
        >
          <div className="field">
            <label htmlFor="f-state">State or substate</label>
            <select id="f-state" value={state} onChange={(e) => set('state', e.target.value)}>
              <option value="">any</option>
              {index?.states
                .filter((s) => s.path.length > 0 && s.type !== 'history')
                .map((s) => (
                  <option key={s.id} value={s.path.join('.')}>
                    {'\u00a0\u00a0'.repeat(s.path.length - 1)}
                    {s.path.join('.')}
                  </option>
                ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-status">Status</label>
            <select
              id="f-status"
              value={status ?? ''}
              onChange={(e) => set('status', e.target.value)}
            >
              <option value="">any</option>
              {STATUSES.map((s) => (
                <option key={s} value={s}>
                  {s}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-min">Min. time in state</label>
            <input
              id="f-min"
              value={minText}
              placeholder="e.g. 15m"
              size={8}
              onChange={(e) => set('min', e.target.value)}
              aria-invalid={minText !== '' && minTimeInState === undefined ? true : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="f-version">Version</label>
            <select id="f-version" value={version} onChange={(e) => set('version', e.target.value)}>
              <option value="">any</option>
              {(versions.data?.versions ?? []).map((v) => (
                <option key={v.version} value={v.version}>
                  {v.version} ({v.live.total} live)
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-prefix">Id starts with</label>
            <input
              id="f-prefix"
              value={prefix}
              size={12}
              onChange={(e) => set('prefix', e.target.value)}
              aria-invalid={
                prefix !== '' && !/^[A-Za-z0-9._:@~-]{1,200}$/.test(prefix) ? true : undefined
              }
            />
          </div>
          <div className="field checkbox">
            <input
              id="f-live"
              type="checkbox"
              checked={live}
              onChange={(e) => set('live', e.target.checked ? '' : 'off')}
            />
            <label htmlFor="f-live">Refresh every 5 s</label>
          </div>
        </form>
        {detail.data && detail.data.events.length > 0 && (
          <div className="bulk">
            <BulkSend
              machine={machine}
              events={detail.data.events}
              filter={filter}
              allowed={access?.operate ?? true}
            />
          </div>
        )}
        {versions.data && versions.data.versions.length > 1 && (
          <div className="bulk">
            <MigrateSelection
              machine={machine}
              versions={versions.data.versions}
              selected={[...selected]}
              allowed={access?.migrate ?? true}
              onDone={() => {
                setSelected(new Set());
                versions.reload();
              }}
            />
            <p>
              <button
                type="button"
                onClick={() => setSelected(new Set(items.map((s) => s.id)))}
                disabled={items.length === 0}
              >
                Select all {items.length} listed
              </button>{' '}
              <button
                type="button"
                onClick={() => setSelected(new Set())}
                disabled={selected.size === 0}
              >
                Clear selection ({selected.size})
              </button>
            </p>
          </div>
        )}
        <InstanceList
          machine={machine}
          filter={filter}
          live={live}
          threshold={threshold}
          {...(versions.data &&
            versions.data.versions.length > 1 && { selected, onSelect: setSelected })}
          onItems={onItems}
        />
      </section>
    </main>
  );
}
