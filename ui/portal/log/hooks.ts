import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { pageTitle } from './format';
import type { PortalSession } from './shell';

/** Sets the tab's title, "<page> · <platform or Herald>", for as long as the page shows. */
export function useTitle(page: string, session: PortalSession): void {
  useEffect(() => {
    document.title = pageTitle(page, session.theme.name);
  }, [page, session.theme.name]);
}

export type Loaded<T> =
  | { state: 'loading' }
  | { state: 'loaded'; value: T }
  | { state: 'failed'; error: unknown };

/**
 * What `load` answers, loaded when the page opens and again on `reload()`; an answer that comes
 * after a newer load started is dropped, so the page never shows an older state over a newer one.
 * While reloading, the value in hand stays on screen.
 */
export function useLoaded<T>(load: () => Promise<T>, key: string): [Loaded<T>, () => Promise<void>] {
  const [loaded, setLoaded] = useState<Loaded<T>>({ state: 'loading' });
  const latest = useRef(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(async () => {
    const call = ++latest.current;
    try {
      const value = await loadRef.current();
      if (call === latest.current) setLoaded({ state: 'loaded', value });
    } catch (error) {
      if (call === latest.current) setLoaded({ state: 'failed', error });
    }
  }, []);
  useEffect(() => {
    setLoaded({ state: 'loading' });
    void reload();
  }, [key, reload]);
  return [loaded, reload];
}
