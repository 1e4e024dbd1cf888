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
  THROTTLED: {
    statusCode: 429,
    code: 'throttled',
    title: 'Too Many Requests',
    detail: 'Slow down and retry.',
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

/** The JSON:API body of a gateway response. */
export function gatewayResponseBody(type: GatewayResponseType): string {
  const { statusCode, code, title, detail } = gatewayResponses[type];
  return JSON.stringify({ errors: [{ status: String(statusCode), code, title, detail }] });
}
