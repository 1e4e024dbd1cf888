import { z } from 'zod';

/**
 * The one way e2e tests call Herald's API: every request of every e2e file goes through
 * {@link request}, and every answer through {@link onResponse}.
 */

export const jsonApi = 'application/vnd.api+json';

const errorObject = z
  .object({
    status: z.string().optional(),
    code: z.string().optional(),
    title: z.string().optional(),
    detail: z.string().optional(),
    source: z.record(z.string()).optional(),
  })
  .passthrough();

/** A JSON:API document, loosely: the members tests read, and whatever else came (`/auth/exchange`). */
const documentSchema = z
  .object({
    data: z.unknown().optional(),
    errors: z.array(errorObject).optional(),
    meta: z.record(z.unknown()).optional(),
    links: z.record(z.unknown()).optional(),
  })
  .passthrough();

export type ErrorObject = z.infer<typeof errorObject>;
export type Document = z.infer<typeof documentSchema>;

export interface ApiResponse {
  status: number;
  headers: Headers;
  /** The parsed body; `{}` when there was none (204). */
  body: Document;
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer …`; none when absent. */
  key?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is, instead of `body`. */
  raw?: string;
  /** With a body. @default application/vnd.api+json */
  contentType?: string;
  headers?: Record<string, string>;
}

/**
 * Called with every answer of the API to an e2e test. Does nothing yet: the place to validate each
 * response against the OpenAPI document.
 */
export function onResponse(_request: { method: string; url: string }, _response: ApiResponse): void {}

/** Calls the API at `apiUrl`; `path` is from its root, or a whole URL (a `links.next`). */
export async function request(
  apiUrl: string,
  method: string,
  path: string,
  options: RequestOptions = {},
): Promise<ApiResponse> {
  const url = path.startsWith('http') ? path : `${apiUrl}${path}`;
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.Authorization = `Bearer ${options.key}`;
  const hasBody = options.body !== undefined || options.raw !== undefined;
  if (hasBody) headers['Content-Type'] = options.contentType ?? jsonApi;
  const res = await fetch(url, {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await res.text();
  const response: ApiResponse = {
    status: res.status,
    headers: res.headers,
    body: documentSchema.parse(text ? JSON.parse(text) : {}),
  };
  onResponse({ method, url }, response);
  return response;
}

/** Calls one part of the API: `path` below a prefix (a tenant's `/api/v2/demo`), with a key. */
export type Api = (
  method: string,
  path: string,
  body?: unknown,
  options?: Omit<RequestOptions, 'body'>,
) => Promise<ApiResponse>;

const resourceSchema = z.object({ id: z.string(), attributes: z.record(z.unknown()) }).passthrough();
export type Resource = z.infer<typeof resourceSchema>;

/** The one resource a response carries in `data`. */
export const resourceOf = (response: ApiResponse): Resource => resourceSchema.parse(response.body.data);

/** The attributes of what a response carries in `data`, for answers that are not a stored resource (a recovery). */
export const attributesOf = (response: ApiResponse): Record<string, unknown> =>
  z.object({ attributes: z.record(z.unknown()) }).parse(response.body.data).attributes;

/** The resources a list response carries in `data`. */
export const resourcesOf = (response: ApiResponse): Resource[] =>
  z.array(resourceSchema).parse(response.body.data);

/** The errors of a response; none when it has none. */
export const errorsOf = (response: ApiResponse): ErrorObject[] => response.body.errors ?? [];
