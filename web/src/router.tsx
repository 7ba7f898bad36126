import { type AnchorHTMLAttributes, type MouseEvent, useSyncExternalStore } from 'react';

/**
 * A small history router: the inspector has four pages, so a library would
 * be more than the problem. Links are real <a href>s (open in new tab works);
 * plain left clicks navigate without a reload.
 */
export type Route =
  | { readonly page: 'overview' }
  | { readonly page: 'machine'; readonly machine: string }
  | { readonly page: 'instance'; readonly machine: string; readonly id: string }
  | { readonly page: 'not-found'; readonly path: string };

const listeners = new Set<() => void>();
const notify = () => {
  for (const l of listeners) l();
};
if (typeof window !== 'undefined') window.addEventListener('popstate', notify);

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'overview' };
  if (parts[0] === 'machines' && parts[1] !== undefined) {
    if (parts.length === 2) return { page: 'machine', machine: parts[1] };
    if (parts[2] === 'instances' && parts[3] !== undefined && parts.length === 4) {
      return { page: 'instance', machine: parts[1], id: parts[3] };
    }
  }
  return { page: 'not-found', path: pathname };
}

const enc = encodeURIComponent;
export const hrefs = {
  overview: () => '/',
  machine: (machine: string, query?: Record<string, string>) => {
    const q = query ? new URLSearchParams(query).toString() : '';
    return `/machines/${enc(machine)}${q ? `?${q}` : ''}`;
  },
  instance: (machine: string, id: string) => `/machines/${enc(machine)}/instances/${enc(id)}`,
};

const snapshot = () => window.location.pathname + window.location.search;

export function useLocation(): { route: Route; query: URLSearchParams } {
  const href = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    snapshot,
    () => '/',
  );
  const url = new URL(href, 'http://x');
  return { route: parseRoute(url.pathname), query: url.searchParams };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
  if (!options.replace) window.scrollTo(0, 0);
}

export function Link(props: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    props.onClick?.(e);
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) {
      return;
    }
    e.preventDefault();
    navigate(props.href);
  };
  return <a {...props} href={props.href} onClick={onClick} />;
}
