/**
 * The portal page's Content-Security-Policy, one description for the stack (CloudFront's
 * response headers policy) and local mode: its own origin for scripts, styles, data and the API;
 * images also from https (a platform's logo); no plugins, no inline code, no forms elsewhere; and
 * framing only by the origins a platform allows (`herald.portalFrameAncestors`).
 */
export function portalContentSecurityPolicy(frameAncestors: readonly string[]): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' https:",
    "connect-src 'self'",
    "font-src 'self'",
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}
