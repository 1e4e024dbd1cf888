import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import SwaggerParser from '@apidevtools/swagger-parser';
import { eventCatalog } from '../../functions/domain/event-catalog';
import { routeAccess } from '../../functions/domain/route-access';
import { buildOpenApiDocument, openApiText, operations } from '../../functions/shared/openapi';
import { apiDoc } from '../../scripts/api-doc';
import { seedBodies } from '../helpers';

/** The OpenAPI document: generated from the contract's schemas, committed, and valid 3.1. */

const document = buildOpenApiDocument();

describe('the OpenAPI document', () => {
  it('is what docs/openapi.json says (npm run openapi rewrites it)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8');
    expect(committed).toBe(openApiText());
  });

  it('has an entry in the route access table (portal capabilities) for each tenant operation, and no other', () => {
    const tenantOps = operations
      .filter((op) => op.path.startsWith('/api/v2/{tenant}/'))
      .map(
        (op) =>
          `${op.method.toUpperCase()} ${op.path.slice('/api/v2/{tenant}/'.length).replace(/\{[^}]+\}/g, ':id')}`,
      );
    const table = Object.entries(routeAccess).flatMap(([pattern, methods]) =>
      Object.keys(methods).map((method) => `${method} ${pattern}`),
    );
    expect(table.sort()).toEqual(tenantOps.sort());
  });

  it('is what docs/api.md says, every operation and webhook attribute in it (npm run docs rewrites it)', () => {
    const committed = readFileSync(join(__dirname, '..', '..', 'docs', 'api.md'), 'utf8');
    expect(committed).toBe(apiDoc());
    for (const op of operations) expect(committed).toContain(`| \`${op.operationId}\` |`);
    for (const name of Object.keys(seedBodies.oAuth.data.attributes))
      expect(committed).toContain(`| \`${name}\` |`);
  });

  it('is a valid OpenAPI 3.1 document to an independent validator, every $ref resolving', async () => {
    // validate() dereferences in place: hand it a copy.
    const validated = await SwaggerParser.validate(structuredClone(document) as never);
    expect(validated).toMatchObject({ openapi: '3.1.0' });
  });

  it('has every operation of the API, each with its success and the JSON:API error responses', () => {
    const ids = Object.values(document.paths ?? {}).flatMap((item) =>
      ['get', 'post', 'patch', 'delete'].flatMap((m) => {
        const op = (item as Record<string, { operationId?: string } | undefined>)[m];
        return op?.operationId ? [op.operationId] : [];
      }),
    );
    expect(ids.sort()).toEqual(
      [
        'listWebhooks',
        'createWebhook',
        'getWebhook',
        'updateWebhook',
        'deleteWebhook',
        'getWebhookSecret',
        'rotateWebhookSecret',
        'listDeliveries',
        'getDelivery',
        'retryDelivery',
        'recoverDeliveries',
        'sendTestEvent',
        'testWebhookFilter',
        'listEventTypes',
        'exchangeApiKey',
        'getOpenApiDocument',
        'createPortalSession',
        'revokePortalSessions',
      ].sort(),
    );
    for (const op of operations) {
      const responses = document.paths?.[op.path]?.[op.method]?.responses ?? {};
      expect(Object.keys(responses)).toEqual(
        expect.arrayContaining([String(op.success.status), '400', '401', '404', '422', '429', '500']),
      );
      expect(JSON.stringify(responses['422'])).toContain('#/components/schemas/ErrorDocument');
    }
  });

  it('names the bearer scheme, required everywhere but the key exchange and the document itself', () => {
    expect(document.components?.securitySchemes?.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.paths?.['/auth/exchange']?.post?.security).toEqual([]);
    expect(document.paths?.['/api/v2/openapi.json']?.get?.security).toEqual([]);
    expect(document.paths?.['/api/v2/{tenant}/webhooks']?.get?.security).toBeUndefined();
  });

  it('shows the seed’s two create bodies as request examples', () => {
    const body = document.paths?.['/api/v2/{tenant}/webhooks']?.post?.requestBody;
    const examples =
      (body && 'content' in body ? body.content['application/vnd.api+json']?.examples : {}) ?? {};
    expect(Object.values(examples).map((e) => ('value' in e ? e.value : undefined))).toEqual([
      seedBodies.none,
      seedBodies.oAuth,
    ]);
  });

  it('shows each event type’s example payload from the catalog', () => {
    const ok = document.paths?.['/api/v2/{tenant}/webhook-event-types']?.get?.responses?.['200'];
    const examples = (ok && 'content' in ok ? ok.content?.['application/vnd.api+json']?.examples : {}) ?? {};
    expect(Object.keys(examples)).toEqual(eventCatalog.map((t) => t.name));
    for (const t of eventCatalog) {
      const example = examples[t.name];
      expect(example && 'value' in example ? example.value : undefined).toMatchObject({
        data: [{ id: t.name, attributes: { example: t.example } }],
      });
    }
  });

  it('describes authentication_payload as an opaque object, not a recursive JSON value', () => {
    const attributes = document.components?.schemas?.WebhookCreateAttributes as {
      properties: Record<string, unknown>;
    };
    expect(attributes.properties.authentication_payload).toMatchObject({
      type: ['object', 'null'],
      additionalProperties: true,
    });
    expect(JSON.stringify(document)).not.toContain('$defs');
  });
});
