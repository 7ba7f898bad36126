import type { ApiError } from '../api';

/** Dispatched on window to open the sign-in panel from anywhere. */
export const SIGN_IN_EVENT = 'stator:sign-in';

/** A failed request said plainly: the code, the server's explanation, and what to do for 401/403. */
export function ProblemNote({ error, action }: { error: ApiError; action?: string }) {
  const hint =
    error.status === 401
      ? 'This server needs a token: sign in with an API key (stk_…) or a JWT.'
      : error.status === 403
        ? 'Your token is valid but its roles do not allow this.'
        : undefined;
  const issues = error.problem.details?.issues;
  return (
    <div className="problem" role="alert">
      <strong>
        {action ? `${action} failed: ` : ''}
        {error.problem.title} <code>{error.code}</code>
      </strong>
      <p>{error.problem.detail}</p>
      {Array.isArray(issues) && (
        <ul>
          {issues.map((issue, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: issues have no identity
            <li key={i}>{typeof issue === 'string' ? issue : JSON.stringify(issue)}</li>
          ))}
        </ul>
      )}
      {hint && <p className="muted">{hint}</p>}
      {error.status === 401 && (
        <button type="button" onClick={() => window.dispatchEvent(new Event(SIGN_IN_EVENT))}>
          Sign in
        </button>
      )}
    </div>
  );
}
