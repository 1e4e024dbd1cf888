/**
 * Typed errors a client can cause. Each carries the JSON:API error objects it answers with;
 * `functions/shared/jsonapi.ts` maps them to HTTP responses in one place.
 */
export interface ErrorSource {
  /** JSON Pointer into the request document, e.g. `/data/attributes/url`. */
  pointer?: string;
  /** A query parameter, e.g. `page[size]`. */
  parameter?: string;
  /** A request header, e.g. `Idempotency-Key`. */
  header?: string;
}

export interface Problem {
  code: string;
  title: string;
  detail: string;
  source?: ErrorSource;
}

export abstract class HeraldError extends Error {
  abstract readonly status: number;
  readonly problems: Problem[];

  constructor(problems: Problem[]) {
    super(problems.map((p) => p.detail).join('; '));
    this.name = new.target.name;
    this.problems = problems;
  }
}

/** The document is well-formed but its attributes break the rules (422). */
export class ValidationError extends HeraldError {
  readonly status = 422;
}

/** The request itself is malformed: bad JSON, bad query parameter (400). */
export class BadRequestError extends HeraldError {
  readonly status = 400;
}

export class UnauthorizedError extends HeraldError {
  readonly status = 401;
  constructor(detail = 'A valid API key or access token is required.') {
    super([{ code: 'unauthorized', title: 'Unauthorized', detail }]);
  }
}

export class ForbiddenError extends HeraldError {
  readonly status = 403;
  constructor(detail = 'This key cannot access this tenant.', problem?: Partial<Problem>) {
    super([{ code: 'forbidden', title: 'Forbidden', detail, ...problem }]);
  }
}

export class NotFoundError extends HeraldError {
  readonly status = 404;
  constructor(detail: string) {
    super([{ code: 'not_found', title: 'Not Found', detail }]);
  }
}

export class MethodNotAllowedError extends HeraldError {
  readonly status = 405;
  constructor(method: string, path: string) {
    super([
      {
        code: 'method_not_allowed',
        title: 'Method Not Allowed',
        detail: `${method} is not allowed on ${path}.`,
      },
    ]);
  }
}

/** The request conflicts with the resource's state or the document's identity (409). */
export class ConflictError extends HeraldError {
  readonly status = 409;
}

export class PayloadTooLargeError extends HeraldError {
  readonly status = 413;
  constructor(limitBytes: number) {
    super([
      {
        code: 'payload_too_large',
        title: 'Payload Too Large',
        detail: `The request body is larger than ${limitBytes} bytes.`,
        source: { pointer: '' },
      },
    ]);
  }
}

export class UnsupportedMediaTypeError extends HeraldError {
  readonly status = 415;
  constructor(received: string | undefined) {
    super([
      {
        code: 'unsupported_media_type',
        title: 'Unsupported Media Type',
        detail: `Send the body as application/vnd.api+json or application/json${received ? `, not ${received}` : ''}.`,
        source: { header: 'Content-Type' },
      },
    ]);
  }
}

/**
 * The tenant holds as many webhooks as the deployment allows (409): the same request succeeds
 * once one is deleted. Not 403, which Herald answers for a key used on another tenant's path,
 * nor 422, which says the document itself is wrong.
 */
export class QuotaExceededError extends HeraldError {
  readonly status = 409;
  constructor(maxWebhooks: number) {
    super([
      {
        code: 'quota_exceeded',
        title: 'Quota exceeded',
        detail: `A tenant may have at most ${maxWebhooks} webhooks; delete one to make another.`,
      },
    ]);
  }
}

/** Too many requests of one kind in a window (429); the response carries `Retry-After`. */
export class RateLimitedError extends HeraldError {
  readonly status = 429;
  constructor(
    detail: string,
    /** Whole seconds until the window that refused the request ends. */
    readonly retryAfterSeconds: number,
  ) {
    super([{ code: 'rate_limited', title: 'Too Many Requests', detail }]);
  }
}
