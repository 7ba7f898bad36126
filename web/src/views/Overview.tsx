import { useMemo } from 'react';
import { getMachine, getVersions, listMachines, type MachineStats, machineStats } from '../api';
import { ChartView } from '../chart/ChartView';
import { ProblemNote } from '../components/ProblemNote';
import { formatAge, parseDuration } from '../format';
import { useLoad, useNow, useStored } from '../hooks';
import { hrefs, Link } from '../router';
import { type ChartState, type MachineSummary, STATUSES } from '../types';
import { DeadLetters } from './DeadLetters';

/** The stuck threshold, shared by every view (localStorage). */
export function useStuckThreshold(): [number, string, (text: string) => void] {
  const [text, setText] = useStored('stator.stuck', '1h');
  return [parseDuration(text) ?? 3_600_000, text, setText];
}

/** Every machine, its versions, instance counts per status and state, and the oldest instance per state. */
export function Overview() {
  const machines = useLoad(listMachines, 'machines', 5000);
  const [threshold, text, setText] = useStuckThreshold();
  return (
    <main id="main" className="overview">
      <div className="page-head">
        <h1>Machines</h1>
        <div className="field inline">
          <label htmlFor="stuck">Stuck after</label>
          <input
            id="stuck"
            value={text}
            size={6}
            onChange={(e) => setText(e.target.value)}
            aria-describedby="stuck-hint"
            aria-invalid={parseDuration(text) === undefined ? true : undefined}
          />
          <span className="hint" id="stuck-hint">
            in one state (e.g. 90s, 15m, 2h, 1d)
          </span>
        </div>
      </div>
      {machines.status === 'error' && (
        <ProblemNote error={machines.error} action="Listing machines" />
      )}
      {machines.status === 'loading' && !machines.data && <p className="muted">Loading…</p>}
      <div className="machine-cards">
        {machines.data?.map((m) => (
          <MachineCard key={m.name} machine={m} threshold={threshold} />
        ))}
      </div>
      {machines.data && <DeadLetters />}
    </main>
  );
}

interface Row {
  readonly path: string;
  readonly state: ChartState | undefined;
  readonly depth: number;
}

function MachineCard({ machine, threshold }: { machine: MachineSummary; threshold: number }) {
  const stats = useLoad(() => machineStats(machine.name), `stats:${machine.name}`, 5000);
  const detail = useLoad(() => getMachine(machine.name), `detail:${machine.name}`);
  const versions = useLoad(() => getVersions(machine.name), `versions:${machine.name}`, 5000);
  const now = useNow(1000);
  const rows: Row[] = [];
  const walk = (s: ChartState, depth: number) => {
    for (const kid of s.children) {
      if (kid.type === 'history') continue;
      rows.push({ path: kid.path.join('.'), state: kid, depth });
      walk(kid, depth + 1);
    }
  };
  if (detail.data) walk(detail.data.chart.root, 0);
  const data: MachineStats | undefined = stats.data;
  const max = Math.max(1, ...rows.map((r) => data?.byState.get(r.path)?.count ?? 0));
  const heat = useMemo(() => {
    if (!detail.data || !data) return undefined;
    const map = new Map<string, number>();
    const walk = (s: ChartState) => {
      for (const kid of s.children) {
        map.set(kid.id, data.byState.get(kid.path.join('.'))?.count ?? 0);
        walk(kid);
      }
    };
    walk(detail.data.chart.root);
    return map;
  }, [detail.data, data]);
  return (
    <section className="card machine-card" aria-labelledby={`m-${machine.name}`}>
      <header className="card-head">
        <h2 id={`m-${machine.name}`}>
          <Link href={hrefs.machine(machine.name)}>{machine.name}</Link>
        </h2>
        {versions.data && versions.data.versions.length > 1 ? (
          <ul className="version-chips" aria-label="Live instances by version">
            {versions.data.versions.map((v) => (
              <li key={v.version}>
                <Link href={hrefs.machine(machine.name, { version: v.version })}>
                  v{v.version}
                  {v.latest ? ' (newest)' : ''}: <strong>{v.live.total}</strong> live
                </Link>
              </li>
            ))}
          </ul>
        ) : (
          <span className="muted">
            version{machine.versions.length === 1 ? '' : 's'} {machine.versions.join(', ')} (latest{' '}
            {machine.latest})
          </span>
        )}
      </header>
      {stats.status === 'error' && <ProblemNote error={stats.error} action="Counting instances" />}
      <ul className="status-chips" aria-label="Instances by status">
        <li className="chip">
          <strong>{data ? data.total : '…'}</strong> instance{data?.total === 1 ? '' : 's'}
          {data?.truncated && <span title="Only the first 20,000 were counted">+</span>}
        </li>
        <li className="chip" title="Transitions this server committed in the last 60 seconds">
          <strong>{machine.transitionsPerMinute ?? '…'}</strong> transitions/min
        </li>
        {STATUSES.map((status) => (
          <li key={status} className={`chip status-${status}`}>
            <Link href={hrefs.machine(machine.name, { status })}>
              {status} <strong>{data?.byStatus[status] ?? '…'}</strong>
            </Link>
          </li>
        ))}
      </ul>
      {detail.data && (
        <Link
          href={hrefs.machine(machine.name)}
          className="thumb"
          aria-label={`Open the ${machine.name} chart`}
        >
          <ChartView
            chart={detail.data.chart}
            label={`Statechart of ${machine.name} with instance counts per state`}
            compact
            {...(heat && { heat })}
          />
        </Link>
      )}
      <table className="state-table">
        <caption className="sr-only">Instances per state of {machine.name}</caption>
        <thead>
          <tr>
            <th scope="col">state</th>
            <th scope="col" className="num">
              instances
            </th>
            <th scope="col">oldest active (time in state)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const s = data?.byState.get(r.path);
            const count = s?.count ?? 0;
            const age = s?.oldest ? now - s.oldest.stateEnteredAt : undefined;
            const stuck = age !== undefined && age >= threshold && r.state?.children.length === 0;
            return (
              <tr key={r.path} className={stuck ? 'stuck' : undefined}>
                <th scope="row" className={`depth-${Math.min(r.depth, 4)}`}>
                  <Link href={hrefs.machine(machine.name, { state: r.path })}>
                    {r.state?.key ?? r.path}
                  </Link>
                  {r.state?.type === 'final' && <span className="tag">final</span>}
                  {r.state?.type === 'parallel' && <span className="tag">parallel</span>}
                </th>
                <td className="num">
                  <span className="bar" aria-hidden="true">
                    <span className="bar-fill" style={{ width: `${(100 * count) / max}%` }} />
                  </span>
                  {count}
                </td>
                <td>
                  {s?.oldest && age !== undefined ? (
                    <>
                      <Link href={hrefs.instance(machine.name, s.oldest.id)}>{s.oldest.id}</Link>{' '}
                      <span className={stuck ? 'stuck-age' : 'muted'}>
                        {formatAge(age)}
                        {stuck && ' · stuck'}
                      </span>
                    </>
                  ) : (
                    <span className="muted">–</span>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
