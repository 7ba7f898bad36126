import { type FormEvent, useEffect, useRef, useState } from 'react';
import { describeToken, setToken, useToken } from '../auth';

/**
 * Paste an API key (`stk_…`) or a JWT once; it stays in this tab's
 * sessionStorage and goes out as `Authorization: Bearer`. Without one, the
 * inspector works against servers that run without authentication.
 */
export function SignIn({ onClose }: { onClose(): void }) {
  const token = useToken();
  const [text, setText] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const info = token ? describeToken(token) : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    setToken(text);
    setText('');
    onClose();
  };
  return (
    <div
      className="sign-in card"
      role="dialog"
      aria-modal="false"
      aria-labelledby="sign-in-title"
      onKeyDown={(e) => e.key === 'Escape' && onClose()}
    >
      <h2 id="sign-in-title">Sign in</h2>
      {info && (
        <p>
          Signed in with{' '}
          {info.kind === 'api-key' ? 'an API key' : info.kind === 'jwt' ? 'a JWT' : 'a token'}
          {info.subject ? ` (${info.subject})` : ''}
          {info.roles ? `, roles ${info.roles.join(', ')}` : ''}
          {info.expiresAt ? `, expires ${new Date(info.expiresAt).toLocaleString()}` : ''}.
        </p>
      )}
      <form onSubmit={submit}>
        <div className="field">
          <label htmlFor="token">API key or JWT</label>
          <input
            id="token"
            ref={input}
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={text}
            placeholder="stk_… or eyJ…"
            onChange={(e) => setText(e.target.value)}
            aria-describedby="token-hint"
          />
          <span className="hint" id="token-hint">
            Kept in this tab only (sessionStorage) and sent as Authorization: Bearer. Create a key
            with <code>stator keys create</code>.
          </span>
        </div>
        <div className="actions">
          <button type="submit" className="primary" disabled={!text.trim()}>
            Use this token
          </button>
          {token && (
            <button
              type="button"
              onClick={() => {
                setToken(null);
                onClose();
              }}
            >
              Sign out
            </button>
          )}
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </div>
  );
}
