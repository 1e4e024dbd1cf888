import type { components } from './schema.js';

/** One JSON:API error object, as the API sends it. */
export type JsonApiError = components['schemas']['Error'];

/**
 * A non-2xx answer of the API. `errors` are its JSON:API error objects, each with a stable `code`
 * and, for a bad field, `source.pointer`; `message` is the first one's `title: detail`.
 */
export class HeraldApiError extends Error {
  override readonly name = 'HeraldApiError';
  readonly status: number;
  readonly errors: JsonApiError[];

  constructor(status: number, errors: JsonApiError[]) {
    const first = errors[0];
    super(first ? `${first.title}: ${first.detail}` : `HTTP ${status}`);
    this.status = status;
    this.errors = errors;
  }

  /** The first error's `code` (`required`, `not_found`, `rate_limited`, ...). */
  get code(): string | undefined {
    return this.errors[0]?.code;
  }
}

const isErrorObject = (value: unknown): value is JsonApiError =>
  typeof value === 'object' &&
  value !== null &&
  'code' in value &&
  typeof value.code === 'string' &&
  'title' in value &&
  typeof value.title === 'string' &&
  'detail' in value &&
  typeof value.detail === 'string';

/**
 * The error a non-2xx answer throws. openapi-fetch types its body as the document's error
 * document, but a proxy in front of the API may answer anything (an HTML 502): such a body still
 * becomes one error object, so callers read `errors` the same way whatever answered.
 */
export function apiError(response: Response, body: unknown): HeraldApiError {
  const status = response.status;
  if (typeof body === 'object' && body !== null && 'errors' in body && Array.isArray(body.errors)) {
    const errors = body.errors.filter(isErrorObject);
    if (errors.length > 0) return new HeraldApiError(status, errors);
  }
  const text = typeof body === 'string' ? body.trim().slice(0, 200) : '';
  return new HeraldApiError(status, [
    {
      status: String(status),
      code: 'unexpected_response',
      title: response.statusText || `HTTP ${status}`,
      detail: text || 'The response carried no JSON:API errors.',
    },
  ]);
}
