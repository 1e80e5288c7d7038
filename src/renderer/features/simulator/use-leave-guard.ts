/**
 * Unsaved edits never vanish silently: while `dirty`, a click on a console link that leaves the page is held
 * and `pending` names where it was going, for the page to ask (Stay / Leave); other ways out (the browser's
 * back button, a typed address) keep the draft in `stash` for the next visit of the page. Leaving the browser
 * tab is asked by the draft hook (`beforeunload`).
 */
import { useEffect, useRef, useState } from 'react';
import { navigate } from '../../app/router';

export function useLeaveGuard(dirty: boolean) {
  const [pending, setPending] = useState<string | null>(null);
  const leaving = useRef(false);
  useEffect(() => {
    if (!dirty) return;
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const link = e.target instanceof Element ? e.target.closest('a[href^="#/"]') : null;
      const href = link?.getAttribute('href');
      if (!href || href === window.location.hash || leaving.current) return;
      e.preventDefault();
      setPending(href);
    };
    document.addEventListener('click', onClick, true);
    return () => document.removeEventListener('click', onClick, true);
  }, [dirty]);
  return {
    pending,
    stay: () => setPending(null),
    leave: () => {
      const to = pending;
      setPending(null);
      leaving.current = true;
      if (to) navigate(to);
    },
    /** True once the analyst chose to leave (the draft is dropped, not stashed). */
    leaving,
  };
}

/** A draft kept across an unguarded navigation (one per page key), restored by the page's next mount. */
const stashed = new Map<string, unknown>();

export const stash = {
  put(key: string, draft: unknown): void {
    stashed.set(key, draft);
  },
  take<T>(key: string): T | undefined {
    const draft = stashed.get(key) as T | undefined;
    stashed.delete(key);
    return draft;
  },
};
