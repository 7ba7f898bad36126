import { useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

export type Loadable<T> =
  | { readonly status: 'loading'; readonly data?: T }
  | { readonly status: 'ok'; readonly data: T }
  | { readonly status: 'error'; readonly error: ApiError; readonly data?: T };

function asApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError({
    type: 'about:blank',
    title: 'Error',
    status: 0,
    code: 'CLIENT_ERROR',
    detail: error instanceof Error ? error.message : String(error),
  });
}

/**
 * Runs `load` when `key` changes (and every `refreshMs` when given), keeping
 * the last data while reloading so views do not flash.
 */
export function useLoad<T>(
  load: () => Promise<T>,
  key: string,
  refreshMs?: number,
): Loadable<T> & { reload(): void } {
  const [state, setState] = useState<Loadable<T>>({ status: 'loading' });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  // biome-ignore lint/correctness/useExhaustiveDependencies: key and tick are the triggers
  useEffect(() => {
    let live = true;
    setState(
      (s) => ({ status: 'loading', ...(s.data !== undefined && { data: s.data }) }) as Loadable<T>,
    );
    loadRef.current().then(
      (data) => live && setState({ status: 'ok', data }),
      (error: unknown) =>
        live &&
        setState(
          (s) =>
            ({
              status: 'error',
              error: asApiError(error),
              ...(s.data !== undefined && { data: s.data }),
            }) as Loadable<T>,
        ),
    );
    return () => {
      live = false;
    };
  }, [key, tick]);
  useEffect(() => {
    if (!refreshMs) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') setTick((t) => t + 1);
    }, refreshMs);
    return () => clearInterval(timer);
  }, [refreshMs]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

/** The current time, updated every `ms` (for ages that tick). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** A value kept in localStorage. */
export function useStored<T>(key: string, initial: T): [T, (v: T) => void] {
  const [value, setValue] = useState<T>(() => {
    try {
      const raw = localStorage.getItem(key);
      return raw === null ? initial : (JSON.parse(raw) as T);
    } catch {
      return initial;
    }
  });
  const set = (v: T) => {
    setValue(v);
    try {
      localStorage.setItem(key, JSON.stringify(v));
    } catch {
      // storage full or disabled: keep it in memory
    }
  };
  return [value, set];
}
