import { useEffect, useState } from 'react';
import { describeToken, useToken } from './auth';
import { SIGN_IN_EVENT } from './components/ProblemNote';
import { hrefs, Link, useLocation } from './router';
import { setTheme, type ThemeChoice, useTheme } from './theme';
import { Instance } from './views/Instance';
import { Machine } from './views/Machine';
import { Overview } from './views/Overview';
import { SignIn } from './views/SignIn';
import { useWhoAmI } from './whoami';

export function App() {
  const { route, query } = useLocation();
  const token = useToken();
  const theme = useTheme();
  const [signingIn, setSigningIn] = useState(false);
  useEffect(() => {
    const open = () => setSigningIn(true);
    window.addEventListener(SIGN_IN_EVENT, open);
    return () => window.removeEventListener(SIGN_IN_EVENT, open);
  }, []);
  const info = token ? describeToken(token) : undefined;
  const me = useWhoAmI();
  const who = token ?? 'anonymous';
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href={hrefs.overview()} className="brand">
          <img src="/favicon.svg" alt="" width={22} height={22} /> Stator{' '}
          <span className="muted">inspector</span>
        </Link>
        <div className="top-actions">
          {me && (
            <span className="who" role="status" aria-label="Who you are">
              {me.actor
                ? `${me.actor.id}${me.actor.roles?.length ? ` · ${me.actor.roles.join(', ')}` : ''}`
                : me.enforced
                  ? 'not signed in'
                  : 'no authentication: every action allowed'}
            </span>
          )}
          <label className="theme-pick">
            <span className="sr-only">Theme</span>
            <select
              value={theme.choice}
              onChange={(e) => setTheme(e.target.value as ThemeChoice)}
              aria-label="Color theme"
            >
              <option value="system">{`System (${theme.shown})`}</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          <button type="button" onClick={() => setSigningIn((v) => !v)} aria-expanded={signingIn}>
            {info ? `Signed in${info.subject ? `: ${info.subject}` : ''}` : 'Sign in'}
          </button>
        </div>
      </header>
      {signingIn && <SignIn onClose={() => setSigningIn(false)} />}
      {/* Views remount when the token changes, so what failed with 401 is read again. */}
      {route.page === 'overview' && <Overview key={who} />}
      {route.page === 'machine' && (
        <Machine key={`${route.machine}:${who}`} machine={route.machine} query={query} />
      )}
      {route.page === 'instance' && (
        <Instance
          key={`${route.machine}/${route.id}:${who}`}
          machine={route.machine}
          id={route.id}
        />
      )}
      {route.page === 'not-found' && (
        <main id="main">
          <h1>Not found</h1>
          <p>
            Nothing at <code>{route.path}</code>.{' '}
            <Link href={hrefs.overview()}>Back to the machines</Link>.
          </p>
        </main>
      )}
    </>
  );
}
