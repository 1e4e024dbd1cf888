import { useEffect } from 'preact/hooks';
import type { PortalSession } from '../session';

/** Sets `document.title` to "<page> · <platform name or Herald>", as every portal page does. */
export function usePageTitle(page: string, session: Pick<PortalSession, 'theme'> | undefined): void {
  const name = session?.theme.name ?? 'Herald';
  useEffect(() => {
    document.title = `${page} · ${name}`;
  }, [page, name]);
}
