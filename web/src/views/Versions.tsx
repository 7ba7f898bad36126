import { formatTime } from '../format';
import type { VersionList } from '../types';

/** A machine's versions: which is newest, rollout shares, live instances by state, retirable. */
export function Versions({ list }: { list: VersionList }) {
  return (
    <section aria-labelledby="versions-title">
      <h2 id="versions-title">Versions</h2>
      <table className="state-table versions-table">
        <caption className="sr-only">Versions of {list.machine} with their live instances</caption>
        <thead>
          <tr>
            <th scope="col">version</th>
            <th scope="col" className="num">
              live
            </th>
            <th scope="col">by state</th>
            <th scope="col">registered</th>
            <th scope="col">notes</th>
          </tr>
        </thead>
        <tbody>
          {list.versions.map((v) => (
            <tr key={v.version}>
              <th scope="row">
                <code>{v.version}</code>
              </th>
              <td className="num">{v.live.total}</td>
              <td>
                {Object.entries(v.live.states)
                  .map(([state, n]) => `${state} ${n}`)
                  .join(' · ') || <span className="muted">none</span>}
              </td>
              <td>{formatTime(v.registeredAt)}</td>
              <td>
                {[
                  v.latest && 'newest: new instances start here',
                  v.share !== undefined && `rollout ${Math.round(v.share * 100)}%`,
                  !v.registered && 'not registered in this server',
                  v.retirable && !v.latest && 'retirable (no live instance)',
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.shadow && (
        <p className="hint">
          Live shadow run on version <code>{list.shadow.candidate}</code>: {list.shadow.compared}{' '}
          compared, {list.shadow.diverged} diverged, {list.shadow.skipped} skipped.
        </p>
      )}
    </section>
  );
}
