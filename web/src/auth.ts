import { useSyncExternalStore } from 'react';

/**
 * The caller's bearer token (an API key `stk_…` or a JWT), pasted once and
 * kept in sessionStorage: it lasts while the tab does and is never written
 * anywhere else. Every API request sends it as `Authorization: Bearer`.
 */
const KEY = 'stator.token';
const listeners = new Set<() => void>();

export function getToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function setToken(token: string | null): void {
  if (token) sessionStorage.setItem(KEY, token.trim());
  else sessionStorage.removeItem(KEY);
  for (const l of listeners) l();
}

export function useToken(): string | null {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getToken,
    () => null,
  );
}

/** What a token says about itself, for display only (the server verifies it). */
export interface TokenInfo {
  readonly kind: 'api-key' | 'jwt' | 'unknown';
  /** API key id, or the JWT's `sub`. */
  readonly subject?: string;
  readonly roles?: readonly string[];
  /** JWT expiry, ms since epoch. */
  readonly expiresAt?: number;
}

export function describeToken(token: string): TokenInfo {
  const key = /^stk_([A-Za-z0-9]+)_/.exec(token);
  if (key?.[1]) return { kind: 'api-key', subject: `key ${key[1]}` };
  const parts = token.split('.');
  if (parts.length === 3 && parts[1]) {
    try {
      const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
      const claims = JSON.parse(json) as { sub?: unknown; roles?: unknown; exp?: unknown };
      const roles = Array.isArray(claims.roles)
        ? claims.roles.filter((r): r is string => typeof r === 'string')
        : typeof claims.roles === 'string'
          ? claims.roles.split(' ')
          : undefined;
      return {
        kind: 'jwt',
        ...(typeof claims.sub === 'string' && { subject: claims.sub }),
        ...(roles && { roles }),
        ...(typeof claims.exp === 'number' && { expiresAt: claims.exp * 1000 }),
      };
    } catch {
      return { kind: 'unknown' };
    }
  }
  return { kind: 'unknown' };
}
