import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  BadRequestError,
  HeraldError,
  PayloadTooLargeError,
  RateLimitedError,
  UnsupportedMediaTypeError,
} from '../domain/errors';

/** JSON:API in and out: reading request documents and writing responses and errors. */

export const jsonApiMediaType = 'application/vnd.api+json';
/** Larger than any valid webhook document by far; API Gateway's own limit is 10 MB. */
export const maxBodyBytes = 64 * 1024;

const baseHeaders = {
  'Content-Type': jsonApiMediaType,
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function respond(
  statusCode: number,
  body?: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers:
      body === undefined ? { 'Cache-Control': 'no-store', ...headers } : { ...baseHeaders, ...headers },
    body: body === undefined ? '' : JSON.stringify(body),
  };
}

/** The one table from errors to responses: typed errors answer as they say, anything else is a 500 that reveals nothing. */
export function errorResponse(error: unknown): APIGatewayProxyResult {
  if (error instanceof HeraldError) {
    return respond(
      error.status,
      { errors: error.problems.map((p) => ({ status: String(error.status), ...p })) },
      error instanceof RateLimitedError ? { 'Retry-After': String(error.retryAfterSeconds) } : {},
    );
  }
  return respond(500, {
    errors: [
      {
        status: '500',
        code: 'internal_error',
        title: 'Internal Server Error',
        detail: 'Something went wrong on our side; it was logged.',
      },
    ],
  });
}

export function header(event: Pick<APIGatewayProxyEvent, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted && value !== undefined) return value;
  }
  return undefined;
}

/**
 * Reads a JSON request body: the media type must be JSON:API or plain JSON, the size bounded,
 * and the JSON well-formed.
 */
/** Deeper documents are refused before parsing: no webhook needs them, and recursive code would. */
const maxNestingDepth = 32;

/** The deepest nesting of objects and arrays in JSON text (brackets inside strings not counted). */
export function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/** As {@link readJsonBody}, for actions whose body is optional: no body (or a blank one) is `undefined`. */
export function readOptionalJsonBody(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>,
): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return text.trim() === '' ? undefined : readJsonBody(event);
}

export function readJsonBody(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'body' | 'isBase64Encoded'>,
): unknown {
  const raw = event.body ?? '';
  const text = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  if (Buffer.byteLength(text, 'utf8') > maxBodyBytes) throw new PayloadTooLargeError(maxBodyBytes);
  const contentType = header(event, 'content-type');
  const mediaType = contentType?.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== jsonApiMediaType && mediaType !== 'application/json') {
    throw new UnsupportedMediaTypeError(contentType);
  }
  if (text.trim() === '') {
    throw new BadRequestError([
      {
        code: 'invalid_document',
        title: 'Invalid document',
        detail: 'The request body is empty.',
        source: { pointer: '' },
      },
    ]);
  }
  const depth = nestingDepth(text);
  if (depth > maxNestingDepth) {
    throw new BadRequestError([
      {
        code: 'too_deeply_nested',
        title: 'Invalid document',
        detail: `The request body nests ${depth} levels deep; at most ${maxNestingDepth} are accepted.`,
        source: { pointer: '' },
      },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadRequestError([
      {
        code: 'malformed_json',
        title: 'Malformed JSON',
        detail: `The request body is not valid JSON: ${(error as Error).message}`,
        source: { pointer: '' },
      },
    ]);
  }
}

/** The absolute URL of a path on this API, as the client reached it (stage or custom domain). */
export function linkTo(event: APIGatewayProxyEvent, path: string): string {
  const host = header(event, 'host');
  const proto = header(event, 'x-forwarded-proto') ?? 'https';
  // requestContext.path is the path the client used, with the stage; event.path is without it.
  const stagePrefix = event.requestContext?.path?.endsWith(event.path)
    ? event.requestContext.path.slice(0, event.requestContext.path.length - event.path.length)
    : '';
  return host ? `${proto}://${host}${stagePrefix}${path}` : `${stagePrefix}${path}`;
}
