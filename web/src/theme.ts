import { useSyncExternalStore } from 'react';

/** `system` follows prefers-color-scheme; the toggle pins light or dark (kept in localStorage). */
export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'stator.theme';
const listeners = new Set<() => void>();

function read(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

export function applyTheme(choice: ThemeChoice = read()): void {
  const root = document.documentElement;
  if (choice === 'system') delete root.dataset.theme;
  else root.dataset.theme = choice;
}

export function setTheme(choice: ThemeChoice): void {
  if (choice === 'system') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, choice);
  applyTheme(choice);
  for (const l of listeners) l();
}

/** The choice and the theme shown; re-renders when either the choice or the system setting changes. */
export function useTheme(): { choice: ThemeChoice; shown: 'light' | 'dark' } {
  const key = useSyncExternalStore(
    (l) => {
      listeners.add(l);
      const media = window.matchMedia('(prefers-color-scheme: dark)');
      media.addEventListener('change', l);
      return () => {
        listeners.delete(l);
        media.removeEventListener('change', l);
      };
    },
    () => `${read()}:${effectiveTheme(read())}`,
    () => 'system:light',
  );
  const [choice, shown] = key.split(':') as [ThemeChoice, 'light' | 'dark'];
  return { choice, shown };
}

/** The theme actually shown (system resolved). */
export function effectiveTheme(choice: ThemeChoice): 'light' | 'dark' {
  if (choice !== 'system') return choice;
  return window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}
