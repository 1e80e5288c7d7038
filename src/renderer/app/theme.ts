/**
 * Light and dark themes: follow `prefers-color-scheme` unless the analyst picked one. The resolved theme is
 * set as `data-theme` on <html>; the CSS variables of styles/tokens.css do the rest.
 */
import { useCallback, useEffect, useState } from 'react';

export type ThemePreference = 'system' | 'light' | 'dark';
const STORAGE_KEY = 'relaydeck.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

function storedPreference(): ThemePreference {
  const value = window.localStorage.getItem(STORAGE_KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

function apply(preference: ThemePreference): void {
  const dark = preference === 'dark' || (preference === 'system' && window.matchMedia(DARK_QUERY).matches);
  document.documentElement.dataset.theme = dark ? 'dark' : 'light';
}

export function applyStoredTheme(): void {
  apply(storedPreference());
}

const NEXT: Record<ThemePreference, ThemePreference> = { system: 'light', light: 'dark', dark: 'system' };

export function useTheme(): { preference: ThemePreference; cycle(): void } {
  const [preference, setPreference] = useState<ThemePreference>(storedPreference);

  useEffect(() => {
    apply(preference);
    if (preference !== 'system') return;
    const media = window.matchMedia(DARK_QUERY);
    const onChange = () => apply('system');
    media.addEventListener('change', onChange);
    return () => media.removeEventListener('change', onChange);
  }, [preference]);

  const cycle = useCallback(() => {
    setPreference((current) => {
      const next = NEXT[current];
      if (next === 'system') window.localStorage.removeItem(STORAGE_KEY);
      else window.localStorage.setItem(STORAGE_KEY, next);
      return next;
    });
  }, []);

  return { preference, cycle };
}
