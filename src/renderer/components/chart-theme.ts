/**
 * The console's charts (uPlot) take their colours and font from the theme's CSS tokens, read when a chart is
 * drawn (a theme change redraws it): the token reader, the axis every chart shares and the hook that follows
 * the theme.
 */
import { useEffect, useState } from 'react';
import type uPlot from 'uplot';

/** Reads a CSS custom property of the document's current theme (e.g. `--green`). */
export function themeToken(): (name: string) => string {
  const css = getComputedStyle(document.documentElement);
  return (name) => css.getPropertyValue(name).trim();
}

/** An axis in the theme's muted text, with grid lines and ticks in its border colour. */
export function themedAxis(token: (name: string) => string): uPlot.Axis {
  return {
    stroke: token('--text-muted'),
    font: `11px ${token('--font-sans') || 'sans-serif'}`,
    grid: { stroke: token('--border'), width: 1 },
    ticks: { stroke: token('--border'), width: 1 },
  };
}

/** The resolved `data-theme` of <html>, followed as the analyst switches themes. */
export function useDocumentTheme(): string {
  const [theme, setTheme] = useState(() => document.documentElement.dataset.theme ?? 'light');
  useEffect(() => {
    const observer = new MutationObserver(() => setTheme(document.documentElement.dataset.theme ?? 'light'));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return theme;
}
