import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { Loading } from './components/loading';
import { usePageTitle } from './components/page-title';
import { Time } from './components/time';
import { DeliveryDetailPage } from './pages/delivery-detail';
import { EventTypesPage } from './pages/event-types';
import { SignInPage } from './pages/sign-in';
import { WebhookDetailPage } from './pages/webhook-detail';
import { WebhookFormPage } from './pages/webhook-form';
import { WebhookListPage } from './pages/webhook-list';
import { onSessionEnded, portalClient } from './portal-client';
import { parseRoute, type Route, routes, sectionOf } from './routes';
import {
  addressHasToken,
  can,
  forgetSession,
  localMode,
  type PageProps,
  type PortalSession,
  type PortalTheme,
  type SessionStart,
  startSession,
} from './session';
import { readableOn } from './session-token';

/**
 * The portal's shell: the session (from the link, or local mode's sign-in), the platform's theme,
 * the navigation, hash routing to the pages, and the page shown when the session is over, whether
 * by its clock or because the API refused it (401: revoked, or its key revoked).
 */

type Shell = SessionStart | { kind: 'ended'; session: PortalSession };

/** The platform's accent on the document: a custom property set through the CSSOM, which the CSP allows. */
function useAccent(theme: PortalTheme | undefined): void {
  const accent = theme?.accentColor;
  useEffect(() => {
    const root = document.documentElement.style;
    if (accent === undefined) {
      root.removeProperty('--brand');
      root.removeProperty('--brand-fg');
      return;
    }
    root.setProperty('--brand', accent);
    root.setProperty('--brand-fg', readableOn(accent));
  }, [accent]);
}

function useRoute(onNewLink: () => void): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const changed = () => {
      // A new session link opened over the page: take its token out of the address first.
      if (addressHasToken()) onNewLink();
      setRoute(parseRoute(location.hash));
    };
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, [onNewLink]);
  return route;
}

/** Whether local mode serves the page (it offers sign-in with a key); asked only when there is no live session. */
function useLocalMode(ask: boolean): { tenant: string } | null | 'asking' {
  const [local, setLocal] = useState<{ tenant: string } | null | 'asking'>('asking');
  useEffect(() => {
    if (!ask) return;
    let current = true;
    localMode().then((found) => {
      if (current) setLocal(found ?? null);
    });
    return () => {
      current = false;
    };
  }, [ask]);
  return local;
}

function Header({ theme, returnUrl }: { theme: PortalTheme; returnUrl: string | undefined }) {
  const name = theme.name ?? 'Herald';
  return (
    <header class="portal-header">
      <p class="brand">
        {theme.logoUrl && <img class="logo" src={theme.logoUrl} alt="" />}
        <span class="brand-name">{name}</span>
        <span class="brand-product">Webhooks</span>
      </p>
      {returnUrl && (
        <a class="back" href={returnUrl}>
          <span aria-hidden="true">← </span>Back to {theme.name ?? 'the platform'}
        </a>
      )}
    </header>
  );
}

function Nav({ route }: { route: Route }) {
  const section = sectionOf(route);
  return (
    <nav class="portal-nav" aria-label="Portal">
      <ul>
        <li>
          <a href={routes.webhooks} aria-current={section === 'webhooks' ? 'page' : undefined}>
            Webhooks
          </a>
        </li>
        <li>
          <a href={routes.eventTypes} aria-current={section === 'event-types' ? 'page' : undefined}>
            Event types
          </a>
        </li>
      </ul>
    </nav>
  );
}

function Page({ route, ...props }: PageProps & { route: Route }) {
  switch (route.page) {
    case 'webhooks':
      return <WebhookListPage {...props} />;
    case 'webhook-new':
      return <WebhookFormPage {...props} />;
    case 'webhook-edit':
      return <WebhookFormPage {...props} webhookId={route.webhookId} />;
    case 'webhook':
      return <WebhookDetailPage {...props} webhookId={route.webhookId} />;
    case 'delivery':
      return <DeliveryDetailPage {...props} webhookId={route.webhookId} deliveryId={route.deliveryId} />;
    case 'event-types':
      return <EventTypesPage {...props} />;
    case 'not-found':
      return <NotFoundPage session={props.session} />;
  }
}

function NotFoundPage({ session }: { session: PortalSession }) {
  usePageTitle('Page not found', session);
  return (
    <>
      <h1>Page not found</h1>
      <p>The portal has no such page.</p>
      <p>
        <a href={routes.webhooks}>Go to your webhooks</a>
      </p>
    </>
  );
}

/** The portal with a live session: header, navigation, the route's page, and what the session allows. */
function SessionLayout({ session, route }: { session: PortalSession; route: Route }) {
  const client = useMemo(() => portalClient(session), [session]);
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    // Keyboard and screen-reader users land on the new page, not on the link they followed.
    if (first.current) first.current = false;
    else main.current?.focus();
  }, [route]);
  return (
    <>
      <Header theme={session.theme} returnUrl={session.returnUrl} />
      <Nav route={route} />
      <main id="main" class="portal-main" tabIndex={-1} ref={main}>
        <Page key={JSON.stringify(route)} route={route} session={session} client={client} />
      </main>
      <footer class="portal-footer">
        <p>
          Tenant <strong>{session.tenant}</strong> · {can(session, 'write') ? '' : 'read-only · '}session ends{' '}
          <Time value={session.expiresAt.toISOString()} />
        </p>
      </footer>
    </>
  );
}

/** Every page without a live session: the platform's header when known, and the message. */
function Bare({ session, children }: { session?: PortalSession; children: ComponentChildren }) {
  return (
    <>
      <Header theme={session?.theme ?? {}} returnUrl={session?.returnUrl} />
      <main id="main" class="portal-main narrow" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function EndedPage({
  session,
  why,
  onSignIn,
}: {
  session: PortalSession;
  why: 'expired' | 'ended';
  onSignIn?: () => void;
}) {
  usePageTitle('Session expired', session);
  const platform = session.theme.name ?? 'the platform';
  return (
    <>
      <h1>{why === 'expired' ? 'Your session has expired' : 'Your session has ended'}</h1>
      <p>
        {why === 'expired'
          ? 'For your security, access to the webhooks portal lasts a limited time.'
          : 'Herald no longer accepts this session: it was ended, or its access was withdrawn.'}{' '}
        Open the portal again from {platform} to go on.
      </p>
      {session.returnUrl && (
        <p>
          <a class="button button-primary" href={session.returnUrl}>
            Return to {platform}
          </a>
        </p>
      )}
      {onSignIn && (
        <p>
          <button type="button" class="button" onClick={onSignIn}>
            Sign in with an API key
          </button>
        </p>
      )}
    </>
  );
}

function NoSessionPage({ invalidLink }: { invalidLink: boolean }) {
  usePageTitle(invalidLink ? 'Link not valid' : 'No session', undefined);
  return (
    <>
      <h1>{invalidLink ? 'This link does not open the portal' : 'Open the portal from your platform'}</h1>
      <p>
        {invalidLink
          ? 'The link is incomplete or not a portal link: open the portal again from your platform.'
          : 'The webhooks portal opens from a link your platform gives you. Go back to it and open the portal from there.'}
      </p>
    </>
  );
}

export function App({ start }: { start: SessionStart }) {
  const [shell, setShell] = useState<Shell>(start);
  const route = useRoute(useMemo(() => () => setShell(startSession()), []));
  const session = shell.kind === 'invalid-link' || shell.kind === 'none' ? undefined : shell.session;
  useAccent(session?.theme);
  const local = useLocalMode(shell.kind !== 'session');

  // Over when its time is up, or as soon as the API refuses it.
  useEffect(() => {
    if (shell.kind !== 'session') return;
    const { session: live } = shell;
    const timer = setTimeout(
      () => setShell({ kind: 'expired', session: live }),
      Math.max(0, live.expiresAt.getTime() - Date.now()),
    );
    const stop = onSessionEnded(() => setShell({ kind: 'ended', session: live }));
    return () => {
      clearTimeout(timer);
      stop();
    };
  }, [shell]);

  const signIn =
    local !== 'asking' && local !== null
      ? () => {
          forgetSession();
          setShell({ kind: 'none' });
        }
      : undefined;

  switch (shell.kind) {
    case 'session':
      return <SessionLayout session={shell.session} route={route} />;
    case 'expired':
    case 'ended':
      return (
        <Bare session={shell.session}>
          <EndedPage session={shell.session} why={shell.kind} onSignIn={signIn} />
        </Bare>
      );
    default:
      return (
        <Bare>
          {local === 'asking' ? (
            <Loading label="Opening the portal" />
          ) : local !== null && shell.kind === 'none' ? (
            <SignInPage
              tenant={local.tenant}
              onSignedIn={(signedIn) => setShell({ kind: 'session', session: signedIn })}
            />
          ) : (
            <NoSessionPage invalidLink={shell.kind === 'invalid-link'} />
          )}
        </Bare>
      );
  }
}
