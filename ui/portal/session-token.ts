import { z } from 'zod/v4/mini';

/**
 * A portal session's token read in the browser. The API verifies the token on every call; the
 * page only reads its payload (tenant, expiry, capabilities, return link, theme) to lay itself out,
 * so nothing here is a security check, but everything that reaches the page (a link, a colour) is
 * kept to what cannot hurt it. No DOM here: unit tests run it in Node.
 */

export type Capability = 'read' | 'write' | 'secrets';

export interface PortalTheme {
  name?: string;
  /** `#rrggbb` only: it becomes a CSS custom property. */
  accentColor?: string;
  /** http(s) only; the page's CSP decides whether it loads. */
  logoUrl?: string;
}

export interface PortalSession {
  token: string;
  tenant: string;
  expiresAt: Date;
  capabilities: ReadonlyArray<Capability>;
  /** http(s) only: a `javascript:` link from a token never becomes an `href`. */
  returnUrl?: string;
  theme: PortalTheme;
}

/** The payload the API signs (functions/domain/portal-session.ts), as far as the page reads it. */
const claimsSchema = z.object({
  tenant: z.string().check(z.minLength(1)),
  exp: z.number(),
  cap: z.array(z.enum(['read', 'write', 'secrets'])),
  return_url: z.optional(z.string()),
  theme: z.optional(
    z.object({
      name: z.optional(z.string()),
      accent_color: z.optional(z.string()),
      logo_url: z.optional(z.string()),
    }),
  ),
});

/** `value` when it is an absolute http(s) URL, else undefined. */
export function webUrl(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

const colour = /^#[0-9a-fA-F]{6}$/;

/** The JSON of a compact JWT's payload, or undefined when `token` is not one. */
function payloadOf(token: string): unknown {
  const [, payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) return undefined;
  try {
    const base64 = payload.replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    return undefined;
  }
}

/** The session a token carries, expired or not; undefined when it is no portal session token. */
export function sessionFromToken(token: string): PortalSession | undefined {
  const claims = claimsSchema.safeParse(payloadOf(token));
  if (!claims.success) return undefined;
  const { tenant, exp, cap, return_url, theme = {} } = claims.data;
  const returnUrl = webUrl(return_url);
  const accentColor =
    theme.accent_color !== undefined && colour.test(theme.accent_color) ? theme.accent_color : undefined;
  const logoUrl = webUrl(theme.logo_url);
  const name = theme.name?.trim() || undefined;
  return {
    token,
    tenant,
    expiresAt: new Date(exp * 1000),
    capabilities: cap,
    ...(returnUrl ? { returnUrl } : {}),
    theme: {
      ...(name ? { name } : {}),
      ...(accentColor ? { accentColor } : {}),
      ...(logoUrl ? { logoUrl } : {}),
    },
  };
}

export function can(session: PortalSession, capability: Capability): boolean {
  return session.capabilities.includes(capability);
}

export function hasExpired(session: PortalSession, now: number): boolean {
  return session.expiresAt.getTime() <= now;
}

/**
 * The text colour that reads on `background` (`#rrggbb`): black or white, whichever contrasts
 * more (WCAG relative luminance), so a platform's accent never leaves a button unreadable.
 */
export function readableOn(background: string): '#000000' | '#ffffff' {
  const channel = (i: number) => {
    const c = Number.parseInt(background.slice(1 + 2 * i, 3 + 2 * i), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(1) + 0.0722 * channel(2);
  // Contrast with black is (L + 0.05) / 0.05, with white 1.05 / (L + 0.05); equal at L ≈ 0.179.
  return luminance > 0.179 ? '#000000' : '#ffffff';
}
