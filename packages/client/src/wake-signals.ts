// What tells a SessionManager to look at its session again without being asked for a token: a
// timer at the refresh time, and, in a browser, the signs that the page slept or was offline.
// A timer that should have fired during a sleep fires late (or, in a frozen tab, not at all), so
// whatever calls `check` must judge by the clock, never by the fact that a timer fired.
import { MAX_TIMER_MS } from './milliseconds.js';

/**
 * Calls `check` when the page becomes visible, comes back online, or gets the focus. Where there
 * is no page (Node, a worker) there are no such events, and nothing is watched. Returns the stop function.
 */
export function watchWake(check: () => void): () => void {
  const page = globalThis as {
    document?: Document;
    addEventListener?: Window['addEventListener'];
    removeEventListener?: Window['removeEventListener'];
  };
  const document = page.document;
  if (!document || typeof page.addEventListener !== 'function' || typeof page.removeEventListener !== 'function') return () => undefined;
  const onVisibility = () => {
    if (document.visibilityState === 'visible') check();
  };
  document.addEventListener('visibilitychange', onVisibility);
  page.addEventListener('online', check);
  page.addEventListener('focus', check);
  return () => {
    document.removeEventListener('visibilitychange', onVisibility);
    page.removeEventListener?.('online', check);
    page.removeEventListener?.('focus', check);
  };
}

/** Whether there is a page whose wake events watchWake can watch. */
export const hasPage = (): boolean => typeof (globalThis as { document?: unknown }).document === 'object';

/** setTimeout that does not keep a Node process alive, its delay clamped to what timers honour. Returns the cancel function. */
export function startTimer(delayMs: number, fire: () => void): () => void {
  const timer = setTimeout(fire, Math.min(Math.max(0, delayMs), MAX_TIMER_MS));
  (timer as { unref?: () => void }).unref?.();
  return () => clearTimeout(timer);
}
