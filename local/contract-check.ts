import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { buildOpenApiDocument, errorStatuses, type Operation, operations } from '../functions/shared/openapi';

/**
 * Contract checks: every response local mode's API Gateway stand-in sends is validated against
 * the OpenAPI document's schema for its operation and status. Tests turn it on; a violation is
 * recorded, and the test that received the response fails naming the operation, the status and
 * ajv's errors (test/contract-setup.ts).
 */

/** Called with every response the stand-in sends. */
export type ResponseCheck = (method: string, path: string, status: number, body: string) => void;

export interface ContractViolation {
  method: string;
  path: string;
  operation: string;
  status: number;
  errors: string;
}

const mediaType = 'application/vnd.api+json';

/** A JSON Pointer segment, as a URI fragment carries it. */
const segment = (s: string) => encodeURIComponent(s.replace(/~/g, '~0').replace(/\//g, '~1'));

function templateRegex(template: string): RegExp {
  const pattern = template
    .split('/')
    .map((part) => (/^\{.+\}$/.test(part) ? '[^/]+' : part.replace(/[.*+?^$()|[\]\\]/g, '\\$&')))
    .join('/');
  return new RegExp(`^${pattern}/?$`);
}

/**
 * Makes a checker of responses against the document (by default, the one the schemas generate
 * now, which a test holds equal to docs/openapi.json). Returns the violation, or undefined.
 */
export function createContractChecker(document: object = buildOpenApiDocument()) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addSchema(document, 'openapi.json');
  const validators = new Map<string, ValidateFunction>();
  const validator = (pointer: string) => {
    let validate = validators.get(pointer);
    if (!validate) {
      validate = ajv.compile({ $ref: `openapi.json#${pointer}` });
      validators.set(pointer, validate);
    }
    return validate;
  };
  const routes = operations.map((op) => ({ op, regex: templateRegex(op.path) }));
  const schemaPointer = (op: Operation, status: number) =>
    `/paths/${segment(op.path)}/${op.method}/responses/${status}/content/${segment(mediaType)}/schema`;
  const errorDocument = '/components/schemas/ErrorDocument';

  return (method: string, path: string, status: number, body: string): ContractViolation | undefined => {
    const op = routes.find((r) => r.op.method === method.toLowerCase() && r.regex.test(path))?.op;
    const violation = (errors: string): ContractViolation => ({
      method,
      path,
      operation: op?.operationId ?? '(no operation)',
      status,
      errors,
    });
    let pointer: string | undefined;
    if (op && status === op.success.status) {
      if (!op.success.schema)
        return body === '' ? undefined : violation(`expected no body, got ${body.slice(0, 200)}`);
      pointer = schemaPointer(op, status);
    } else if (status in errorStatuses) {
      // Gateway errors answer any path, routed or not, with the same error document.
      pointer = op ? schemaPointer(op, status) : errorDocument;
    } else if (path === '/api/v2/openapi.json' && method === 'GET' && status === 200) {
      return undefined;
    } else {
      return violation(`status ${status} is not in the document for this operation`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return violation(`the body is not JSON: ${body.slice(0, 200)}`);
    }
    const validate = validator(pointer);
    if (validate(parsed)) return undefined;
    return violation(ajv.errorsText(validate.errors, { separator: '; ', dataVar: 'body' }));
  };
}

export function describeViolation(v: ContractViolation): string {
  return `${v.method} ${v.path} (${v.operation}) answered ${v.status}, which breaks docs/openapi.json: ${v.errors}`;
}

const recorded: ContractViolation[] = [];
let active: ResponseCheck | undefined;

/**
 * Turns the checks on for every local mode started afterwards in this process (jest's setup file
 * does it for each test file); violations are kept until {@link takeViolations}.
 */
export function enableContractChecks(): void {
  if (active) return;
  let check: ReturnType<typeof createContractChecker> | undefined;
  active = (method, path, status, body) => {
    check ??= createContractChecker();
    const violation = check(method, path, status, body);
    if (violation) recorded.push(violation);
  };
}

/** The check local mode applies when its caller gives none: on once enabled, else off. */
export function activeResponseCheck(): ResponseCheck | undefined {
  return active;
}

/** The violations recorded since the last call. */
export function takeViolations(): ContractViolation[] {
  return recorded.splice(0, recorded.length);
}
