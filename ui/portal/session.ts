import { z } from 'zod/v4/mini';
import type { HeraldClient } from '../../clients/typescript/src/index';
import { hasExpired, type PortalSession, sessionFromToken } from './session-token';

/**
 * The portal's session in this tab. A platform opens the portal with `…/portal/#token=…`: the
 * fragment never reaches a server, and the page takes the token out of the address bar at once
 * (so it is not in the history, a bookmark or a screenshot), keeping it in `sessionStorage`: this
 * tab only, gone when the tab closes.
 */

export {
  type Capability,
  can,
  hasExpired,
  type PortalSession,
  type PortalTheme,
  sessionFromToken,
} from './session-token';

/** What every page is given. */
export interface PageProps {
  session: PortalSession;
  client: HeraldClient;
}

export type SessionStart =
  | { kind: 'session'; session: PortalSession }
  | { kind: 'expired'; session: PortalSession }
  /** A `#token=` that is no portal session (cut short when copied, say). */
  | { kind: 'invalid-link' }
  | { kind: 'none' };

const storageKey = 'herald.portal.token';

// Storage can be refused (a sandboxed iframe, a browser's setting): the session then lasts as long as the page.
let memory: string | undefined;

function keep(token: string | undefined): void {
  memory = token;
  try {
    if (token === undefined) sessionStorage.removeItem(storageKey);
    else sessionStorage.setItem(storageKey, token);
  } catch {
    // Kept in memory only.
  }
}

function kept(): string | undefined {
  try {
    return sessionStorage.getItem(storageKey) ?? memory;
  } catch {
    return memory;
  }
}

/** The token of a `#token=…` address, which is then replaced by `#/webhooks` in place (no new history entry). */
function takeTokenFromAddress(): string | undefined {
  const match = /^#token=([^&]*)/.exec(location.hash);
  if (!match) return undefined;
  history.replaceState(history.state, '', `${location.pathname}${location.search}#/webhooks`);
  try {
    return decodeURIComponent(match[1] ?? '');
  } catch {
    return '';
  }
}

function classify(session: PortalSession, now: number): SessionStart {
  return hasExpired(session, now) ? { kind: 'expired', session } : { kind: 'session', session };
}

/** The session the page starts with (or starts again with, when a new link is opened in the tab). */
export function startSession(now = Date.now()): SessionStart {
  const fromLink = takeTokenFromAddress();
  if (fromLink !== undefined) {
    const session = sessionFromToken(fromLink);
    keep(session ? fromLink : undefined);
    return session ? classify(session, now) : { kind: 'invalid-link' };
  }
  const token = kept();
  const session = token === undefined ? undefined : sessionFromToken(token);
  return session ? classify(session, now) : { kind: 'none' };
}

/** Keeps a session opened by the page itself (local mode's sign-in). */
export function keepSession(session: PortalSession): void {
  keep(session.token);
}

export function forgetSession(): void {
  keep(undefined);
}

/** Whether a new portal link was opened in this tab (`#token=…` typed or pasted over the page). */
export function addressHasToken(): boolean {
  return location.hash.startsWith('#token=');
}

const localModeSchema = z.object({ mode: z.literal('local'), tenant: z.string() });

/**
 * Local mode answers `local.json` beside the page (local/ui.ts); the stack has no such file, so
 * there the portal offers no sign-in with a key. Answers the tenant to offer, or undefined.
 */
export async function localMode(): Promise<{ tenant: string } | undefined> {
  const url = new URL('local.json', `${location.origin}${location.pathname.replace(/\/?$/, '/')}`);
  try {
    const res = await fetch(url, { headers: { Accept: 'application/json' } });
    if (!res.ok) return undefined;
    const parsed = localModeSchema.safeParse(await res.json());
    return parsed.success ? { tenant: parsed.data.tenant } : undefined;
  } catch {
    return undefined;
  }
}
