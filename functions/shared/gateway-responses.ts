/**
 * The answers API Gateway gives itself, before or instead of the API function: JSON:API errors
 * like the function's own. The stack installs them as gateway responses; local mode answers
 * with the same ones, so clients see one API either way.
 */
export interface GatewayResponseDefinition {
  statusCode: number;
  code: string;
  title: string;
  detail: string;
  /** Headers besides Content-Type; static values, the only kind API Gateway can add without a variable. */
  headers?: Readonly<Record<string, string>>;
}

export const gatewayResponses = {
  UNAUTHORIZED: {
    statusCode: 401,
    code: 'unauthorized',
    title: 'Unauthorized',
    detail: 'A valid API key or access token is required.',
  },
  ACCESS_DENIED: {
    statusCode: 403,
    code: 'forbidden',
    title: 'Forbidden',
    detail: 'This key cannot access this tenant.',
  },
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: 404,
    code: 'not_found',
    title: 'Not Found',
    detail: 'No such route.',
  },
  // A tenant past its own limit (usage plan), the key exchange past its own (method throttling),
  // or the stage or account past theirs.
  THROTTLED: {
    statusCode: 429,
    code: 'throttled',
    title: 'Too Many Requests',
    detail: 'Slow down and retry.',
    // A gateway response can add static headers or request/context variables, and no variable
    // says when the token bucket has a token again. Every Herald limit refills at a whole number
    // of requests a second, at least 1, so after 1 s a token is back for a client on its own:
    // Retry-After: 1 is the earliest worthwhile retry, not a promise.
    headers: { 'Retry-After': '1' },
  },
  // Herald's usage plan sets no quota; this answers if an operator adds one. No Retry-After:
  // API Gateway cannot say when the quota period ends.
  QUOTA_EXCEEDED: {
    statusCode: 429,
    code: 'quota_exceeded',
    title: 'Too Many Requests',
    detail: "This tenant's request quota for the period is used up.",
  },
  // The authorizer's usage identifier names no key in the usage plan: the tenant was never
  // provisioned on this deployment (`npm run keys -- provision <tenant> --stack <name>`), or its
  // usage key was disabled.
  INVALID_API_KEY: {
    statusCode: 403,
    code: 'tenant_not_provisioned',
    title: 'Forbidden',
    detail: 'This tenant is not enabled on this deployment; ask its operator to provision it.',
  },
  REQUEST_TOO_LARGE: {
    statusCode: 413,
    code: 'payload_too_large',
    title: 'Payload Too Large',
    detail: 'The request is too large.',
  },
  DEFAULT_4XX: {
    statusCode: 400,
    code: 'bad_request',
    title: 'Bad Request',
    detail: 'The request could not be handled.',
  },
  DEFAULT_5XX: {
    statusCode: 500,
    code: 'internal_error',
    title: 'Internal Server Error',
    detail: 'Something went wrong on our side.',
  },
} as const satisfies Record<string, GatewayResponseDefinition>;

export type GatewayResponseType = keyof typeof gatewayResponses;

/** The headers of a gateway response besides Content-Type. */
export function gatewayResponseHeaders(type: GatewayResponseType): Readonly<Record<string, string>> {
  const definition: GatewayResponseDefinition = gatewayResponses[type];
  return definition.headers ?? {};
}

/** The JSON:API body of a gateway response. */
export function gatewayResponseBody(type: GatewayResponseType): string {
  const { statusCode, code, title, detail } = gatewayResponses[type];
  return JSON.stringify({ errors: [{ status: String(statusCode), code, title, detail }] });
}
