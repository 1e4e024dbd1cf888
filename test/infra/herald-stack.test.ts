import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { tableSchema } from '../../functions/shared/table-schema';
import { resolveSettings } from '../../lib/config';
import { HeraldStack } from '../../lib/herald-stack';

// Values unlike the defaults, so a setting that is ignored or hard-coded shows.
const settings = resolveSettings({
  eventSource: 'TestPlatform',
  busName: 'herald-test',
  allowedEnvironments: ['production', 'staging'],
  accessTokenTtlSeconds: 600,
  authorizerCacheSeconds: 120,
  throttleRateLimit: 25,
  throttleBurstLimit: 40,
  tenantRateLimit: 10,
  tenantBurstLimit: 20,
  exchangeRateLimit: 3,
  exchangeBurstLimit: 6,
  logRetentionDays: 14,
  traceSamplePercent: 2.5,
  traceReservoirPerSecond: 3,
});

type Resource = { Type: string; Properties: Record<string, unknown>; [key: string]: unknown };
type Statement = { Effect: string; Action: string | string[]; Resource?: unknown; Principal?: unknown };

let template: Template;

beforeAll(() => {
  // One synth for the whole file: NodejsFunction runs esbuild for every function on each synth.
  // CDK's built-in CloudFormation validation (about 3 s a synth) is left to the cdk-nag test and
  // `cdk synth`: these assertions read the template only.
  const app = new App({ builtinCloudFormationValidation: false });
  template = Template.fromStack(new HeraldStack(app, 'Herald', { settings }));
});

/** A resource aws-cdk-lib adds on its own (the portal's BucketDeployment copier and its role). */
const cdkManaged = (logicalId: string) => logicalId.startsWith('CustomCDKBucketDeployment');

function resources(type: string, props?: Record<string, unknown>): Array<[string, Resource]> {
  return Object.entries(template.findResources(type, props ? { Properties: props } : undefined)) as Array<
    [string, Resource]
  >;
}

/** Herald's own functions: not aws-cdk-lib's BucketDeployment copier (Python, deploy time only). */
function heraldFunctions(): Array<[string, Resource]> {
  return resources('AWS::Lambda::Function').filter(([id]) => !cdkManaged(id));
}

function only<T>(items: T[], what: string): T {
  if (items.length !== 1) throw new Error(`expected exactly one ${what}, found ${items.length}`);
  return items[0]!;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
function target(ref: unknown): string {
  const r = ref as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const id = r.Ref ?? r['Fn::GetAtt']?.[0];
  if (!id) throw new Error(`not a reference: ${JSON.stringify(ref)}`);
  return id;
}

/** The logical id of the API Gateway resource at `path` (e.g. `/auth/exchange`). */
function resourceAt(path: string): string {
  const parts = path.split('/').filter(Boolean);
  const [restApiId] = only(resources('AWS::ApiGateway::RestApi'), 'REST API');
  let parent: unknown = { 'Fn::GetAtt': [restApiId, 'RootResourceId'] };
  let id = '';
  for (const part of parts) {
    [id] = only(
      resources('AWS::ApiGateway::Resource', { PathPart: part, ParentId: parent }),
      `resource ${part} under ${JSON.stringify(parent)}`,
    );
    parent = { Ref: id };
  }
  return id;
}

function method(path: string, httpMethod: string): Resource {
  return only(
    resources('AWS::ApiGateway::Method', { HttpMethod: httpMethod, ResourceId: { Ref: resourceAt(path) } }),
    `${httpMethod} ${path}`,
  )[1];
}

/** The Lambda function an integration or authorizer URI invokes. */
function functionInUri(uri: unknown): string {
  const json = JSON.stringify(uri);
  const match = /"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/.exec(json);
  if (!match?.[1]) throw new Error(`no function in ${json}`);
  return match[1];
}

function policyStatements(filter: (policy: Resource) => boolean = () => true): Statement[] {
  const fromPolicies = resources('AWS::IAM::Policy')
    .filter(([id, p]) => !cdkManaged(id) && filter(p))
    .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Statement[] }).Statement);
  const inline = resources('AWS::IAM::Role').flatMap(([, r]) =>
    (
      (r.Properties.Policies as Array<{ PolicyDocument: { Statement: Statement[] } }> | undefined) ?? []
    ).flatMap((p) => p.PolicyDocument.Statement),
  );
  return [...fromPolicies, ...inline];
}

const actionsOf = (s: Statement): string[] => (Array.isArray(s.Action) ? s.Action : [s.Action]);

/** Every statement of the policies attached to the role of `functionId`. */
function statementsOfFunction(functionId: string): Statement[] {
  const fn = template.toJSON().Resources[functionId] as Resource;
  const roleId = target(fn.Properties.Role);
  return policyStatements((p) => (p.Properties.Roles as unknown[]).some((r) => target(r) === roleId));
}

describe('storage', () => {
  it('creates the table from the shared schema, on demand, with TTL', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: tableSchema.partitionKey, KeyType: 'HASH' },
        { AttributeName: tableSchema.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: tableSchema.partitionKey, AttributeType: 'S' },
        { AttributeName: tableSchema.sortKey, AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: tableSchema.timeToLiveAttribute, Enabled: true },
    });
  });

  it('protects the table: point-in-time recovery, deletion protection, retained', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('encrypts the table with a customer-managed key that rotates', () => {
    const [keyId] = only(resources('AWS::KMS::Key', { EnableKeyRotation: true }), 'rotating KMS key');
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
      },
    });
  });
});

describe('functions', () => {
  it('runs every function on Node.js 24, arm64, traced, JSON logs without platform lines, bundled from an asset', () => {
    const functions = heraldFunctions();
    expect(functions.length).toBeGreaterThanOrEqual(2);
    for (const [, fn] of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', SystemLogLevel: 'WARN', ApplicationLogLevel: 'INFO' },
        Handler: 'index.handler',
        Code: { S3Bucket: expect.anything(), S3Key: expect.stringMatching(/\.zip$/) },
      });
      // 512 MB for the API and authorizer; 256 MB for the router and delivery, which mostly wait.
      expect([256, 512]).toContain(fn.Properties.MemorySize);
    }
  });

  it("samples X-Ray traces by the settings at Herald's entry points only: the API stage, the router, the delivery function", () => {
    const rules = resources('AWS::XRay::SamplingRule').map(
      ([, r]) => r.Properties.SamplingRule as Record<string, unknown>,
    );
    expect(rules).toHaveLength(3);
    for (const rule of rules) {
      expect(rule).toMatchObject({ FixedRate: 0.025, ReservoirSize: 3, Priority: 1000, Version: 1 });
      expect(String(rule.RuleName).length).toBeLessThanOrEqual(32);
    }
    // Each rule names one resource of this stack, never every service in the account.
    const stage = only(resources('AWS::ApiGateway::Stage'), 'stage')[0];
    const api = only(
      rules.filter((r) => r.ServiceType === 'AWS::ApiGateway::Stage'),
      'API stage rule',
    );
    expect(JSON.stringify(api.ResourceARN)).toContain(stage);
    const sampled = rules
      .filter((r) => r.ServiceType === 'AWS::Lambda::Function')
      .map((r) => target(r.ServiceName))
      .sort();
    const byName = (part: string) =>
      only(
        heraldFunctions().filter(([id]) => id.includes(part)),
        part,
      )[0];
    expect(sampled).toEqual([byName('PipelineDelivery'), byName('PipelineRouter')].sort());
  });

  it('turns tracing off (functions and API stage) and sets the log level from the settings', () => {
    const app = new App({ builtinCloudFormationValidation: false });
    const quiet = Template.fromStack(
      new HeraldStack(app, 'Quiet', { settings: resolveSettings({ tracing: false, logLevel: 'WARN' }) }),
    );
    const quietFunctions = Object.entries(quiet.findResources('AWS::Lambda::Function')).filter(
      ([id]) => !cdkManaged(id),
    );
    for (const [, fn] of quietFunctions) {
      const props = (fn as { Properties: Record<string, unknown> }).Properties;
      expect(props.TracingConfig).toBeUndefined();
      // Lambda's own filter stays at INFO, or it would drop the EMF metric lines (no level field).
      expect(props.LoggingConfig).toMatchObject({ ApplicationLogLevel: 'INFO' });
      expect(
        (props.Environment as { Variables: Record<string, unknown> }).Variables.POWERTOOLS_LOG_LEVEL,
      ).toBe('WARN');
    }
    const stages = Object.values(quiet.findResources('AWS::ApiGateway::Stage'));
    expect(stages.length).toBeGreaterThan(0);
    for (const stage of stages) {
      expect((stage as { Properties: Record<string, unknown> }).Properties.TracingEnabled).toBe(false);
    }
    expect(quiet.findResources('AWS::XRay::SamplingRule')).toEqual({});
  });

  it('never lets a function deliver to private addresses', () => {
    for (const [id, fn] of heraldFunctions()) {
      const variables = (fn.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)
        ?.Variables;
      expect({ id, value: variables?.HERALD_ALLOW_PRIVATE_TARGETS }).toEqual({ id, value: 'false' });
    }
  });

  it('gives the API and the authorizer the configuration functions/shared/config.ts reads', () => {
    const [tableId] = only(resources('AWS::DynamoDB::Table'), 'table');
    const [secretId] = only(resources('AWS::SecretsManager::Secret'), 'secret');
    const expected = {
      TABLE_NAME: { Ref: tableId },
      TOKEN_SIGNING_SECRET_ARN: { Ref: secretId },
      HERALD_EVENT_SOURCE: 'TestPlatform',
      // Operational events (webhook.disabled, webhook.enabled) go to this bus.
      HERALD_BUS_NAME: 'herald-test',
      HERALD_DEFAULT_TYPE_PREFIX: '',
      HERALD_ALLOWED_ENVIRONMENTS: 'production,staging',
      HERALD_ALLOW_PRIVATE_TARGETS: 'false',
      HERALD_ALLOWED_PORTS: '443,1024-65535',
      HERALD_ACCESS_TOKEN_TTL_SECONDS: '600',
      HERALD_ATTEMPT_RETENTION_DAYS: '30',
      HERALD_SECRET_ROTATION_GRACE_SECONDS: '86400',
      HERALD_MAX_WEBHOOKS_PER_TENANT: '100',
      HERALD_TEST_EVENTS_PER_MINUTE: '10',
      POWERTOOLS_SERVICE_NAME: 'herald',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      POWERTOOLS_METRICS_NAMESPACE: 'Herald',
      // No NODE_OPTIONS: --enable-source-maps cost every cold start 20-30 ms (lib/constructs/function.ts).
    };
    const queues = resources('AWS::SQS::Queue').map(([id]) => id);
    const apiFunction = functionInUri(method('/auth/exchange', 'POST').Properties.Integration);
    const [, authorizer] = only(resources('AWS::ApiGateway::Authorizer'), 'authorizer');
    const authorizerFunction = functionInUri(authorizer.Properties.AuthorizerUri);
    expect((template.toJSON().Resources[authorizerFunction] as Resource).Properties.Environment).toEqual({
      Variables: expected,
    });
    // The API also queues retries, recoveries and test events, and reads the dead-letter queue.
    const api = (template.toJSON().Resources[apiFunction] as Resource).Properties.Environment as {
      Variables: Record<string, unknown>;
    };
    const { DELIVERY_QUEUE_URL, DEAD_LETTER_QUEUE_URL, PORTAL_URL, ...rest } = api.Variables;
    expect(rest).toEqual(expected);
    // Portal sessions link to the stack's own portal distribution.
    const [distributionId] = only(resources('AWS::CloudFront::Distribution'), 'distribution');
    expect(PORTAL_URL).toEqual({
      'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distributionId, 'DomainName'] }, '/portal/']],
    });
    for (const url of [DELIVERY_QUEUE_URL, DEAD_LETTER_QUEUE_URL]) {
      expect(queues).toContain((url as { Ref: string }).Ref);
    }
  });

  it('lets the API publish operational events on the Herald bus, and the authorizer not', () => {
    const [busId] = only(resources('AWS::Events::EventBus'), 'event bus');
    const apiFunction = functionInUri(method('/auth/exchange', 'POST').Properties.Integration);
    const [, authorizer] = only(resources('AWS::ApiGateway::Authorizer'), 'authorizer');
    const puts = (functionId: string) =>
      statementsOfFunction(functionId).filter((s) => actionsOf(s).includes('events:PutEvents'));
    expect(puts(apiFunction).map((s) => target(s.Resource))).toEqual([busId]);
    expect(puts(functionInUri(authorizer.Properties.AuthorizerUri))).toEqual([]);
  });

  it('gives every function its own log group with the configured retention', () => {
    for (const [, fn] of heraldFunctions()) {
      const logGroupId = target((fn.Properties.LoggingConfig as { LogGroup: unknown }).LogGroup);
      expect(template.toJSON().Resources[logGroupId]).toMatchObject({
        Type: 'AWS::Logs::LogGroup',
        Properties: { RetentionInDays: 14 },
        DeletionPolicy: 'Retain',
      });
    }
  });

  it('generates the token-signing secret in CloudFormation, encrypted with the key', () => {
    const [keyId] = only(resources('AWS::KMS::Key'), 'KMS key');
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
      KmsKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
  });
});

describe('least privilege', () => {
  it('lets the authorizer read single items only', () => {
    const [, authorizer] = only(resources('AWS::ApiGateway::Authorizer'), 'authorizer');
    const actions = statementsOfFunction(functionInUri(authorizer.Properties.AuthorizerUri)).flatMap(
      actionsOf,
    );
    expect(actions).toContain('dynamodb:GetItem');
    for (const forbidden of [
      'dynamodb:PutItem',
      'dynamodb:DeleteItem',
      'dynamodb:UpdateItem',
      'dynamodb:Scan',
      'dynamodb:Query',
      'dynamodb:BatchWriteItem',
      'kms:Encrypt',
    ]) {
      expect(actions).not.toContain(forbidden);
    }
  });

  it('lets the API function read and write the table', () => {
    const apiFunction = functionInUri(method('/auth/exchange', 'POST').Properties.Integration);
    const actions = statementsOfFunction(apiFunction).flatMap(actionsOf);
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'secretsmanager:GetSecretValue',
      ]),
    );
  });

  it('grants no "*" or service-wide action anywhere', () => {
    const keyPolicies = resources('AWS::KMS::Key').flatMap(
      ([, k]) => (k.Properties.KeyPolicy as { Statement: Statement[] }).Statement,
    );
    for (const statement of [...policyStatements(), ...keyPolicies]) {
      for (const action of actionsOf(statement)) {
        expect(action).not.toBe('*');
        expect(action).not.toBe('dynamodb:*');
        expect(action).not.toBe('secretsmanager:*');
      }
    }
  });

  it('uses Resource "*" only for X-Ray, which has no resource-level permissions (the IAM5 acknowledgement)', () => {
    const onEverything = policyStatements()
      .filter((s) => s.Resource === '*' || (Array.isArray(s.Resource) && s.Resource.includes('*')))
      .flatMap(actionsOf);
    expect(onEverything.length).toBeGreaterThan(0);
    for (const action of onEverything) expect(action).toMatch(/^xray:Put(TraceSegments|TelemetryRecords)$/);
  });
});

describe('api', () => {
  it('throttles the stage and logs access in JSON, errors, metrics and traces', () => {
    const [logGroupId] = only(
      resources('AWS::Logs::LogGroup').filter(([id]) => id.includes('AccessLogs')),
      'access log group',
    );
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: { 'Fn::GetAtt': [logGroupId, 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      MethodSettings: Match.arrayWith([
        {
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 25,
          ThrottlingBurstLimit: 40,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
        },
      ]),
    });
    const [, stage] = only(resources('AWS::ApiGateway::Stage'), 'stage');
    expect(() => JSON.parse((stage.Properties.AccessLogSetting as { Format: string }).Format)).not.toThrow();
  });

  it('throttles POST /auth/exchange on its own, below the stage, with the same logging', () => {
    const [, stage] = only(resources('AWS::ApiGateway::Stage'), 'stage');
    const settings = stage.Properties.MethodSettings as Array<Record<string, unknown>>;
    expect(settings).toHaveLength(2);
    expect(settings).toContainEqual({
      HttpMethod: 'POST',
      ResourcePath: '/~1auth~1exchange',
      ThrottlingRateLimit: 3,
      ThrottlingBurstLimit: 6,
      LoggingLevel: 'ERROR',
      DataTraceEnabled: false,
      MetricsEnabled: true,
    });
  });

  it('throttles each tenant through a usage plan on the stage, keyed by the authorizer', () => {
    const [restApiId, restApi] = only(resources('AWS::ApiGateway::RestApi'), 'REST API');
    expect(restApi.Properties.ApiKeySourceType).toBe('AUTHORIZER');
    const [stageId] = only(resources('AWS::ApiGateway::Stage'), 'stage');
    const [, plan] = only(resources('AWS::ApiGateway::UsagePlan'), 'usage plan');
    expect(plan.Properties).toMatchObject({
      Throttle: { RateLimit: 10, BurstLimit: 20 },
      ApiStages: [{ ApiId: { Ref: restApiId }, Stage: { Ref: stageId } }],
    });
    // A limit, not a metered product: no quota to run out of over a day or a month.
    expect(plan.Properties.Quota).toBeUndefined();
    // Keys come from `npm run keys`, one per tenant, not from the stack.
    expect(resources('AWS::ApiGateway::ApiKey')).toHaveLength(0);
  });

  it('requires the usage-plan key on the tenant routes only: /auth/exchange stays open', () => {
    expect(method('/api/v2/{tenant}/{proxy+}', 'ANY').Properties.ApiKeyRequired).toBe(true);
    expect(method('/auth/exchange', 'POST').Properties.ApiKeyRequired ?? false).toBe(false);
    const required = resources('AWS::ApiGateway::Method').filter(([, m]) => m.Properties.ApiKeyRequired);
    expect(required).toHaveLength(1);
  });

  it('answers a throttled request with Retry-After: 1', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Retry-After': "'1'" }),
    });
  });

  it('puts the authorizer, keyed on the Authorization header and cached, on the tenant routes', () => {
    const [authorizerId, authorizer] = only(resources('AWS::ApiGateway::Authorizer'), 'authorizer');
    expect(authorizer.Properties).toMatchObject({
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization',
      AuthorizerResultTtlInSeconds: 120,
    });
    const tenantRoutes = method('/api/v2/{tenant}/{proxy+}', 'ANY');
    expect(tenantRoutes.Properties).toMatchObject({
      AuthorizationType: 'CUSTOM',
      AuthorizerId: { Ref: authorizerId },
      Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
    });
  });

  it('serves POST /auth/exchange without an authorizer, by the same function', () => {
    const exchange = method('/auth/exchange', 'POST');
    expect(exchange.Properties.AuthorizationType).toBe('NONE');
    expect(exchange.Properties.AuthorizerId).toBeUndefined();
    expect(exchange.Properties.Integration).toMatchObject({ Type: 'AWS_PROXY' });
    expect(functionInUri(exchange.Properties.Integration)).toBe(
      functionInUri(method('/api/v2/{tenant}/{proxy+}', 'ANY').Properties.Integration),
    );
  });

  it('serves GET /api/v2/openapi.json with no authorizer and no usage-plan key, by the same function', () => {
    const document = method('/api/v2/openapi.json', 'GET');
    expect(document.Properties.AuthorizationType).toBe('NONE');
    expect(document.Properties.AuthorizerId).toBeUndefined();
    expect(document.Properties.ApiKeyRequired ?? false).toBe(false);
    expect(functionInUri(document.Properties.Integration)).toBe(
      functionInUri(method('/api/v2/{tenant}/{proxy+}', 'ANY').Properties.Integration),
    );
  });

  it.each([
    ['UNAUTHORIZED', '401', 'unauthorized'],
    ['ACCESS_DENIED', '403', 'forbidden'],
    ['MISSING_AUTHENTICATION_TOKEN', '404', 'not_found'],
    ['THROTTLED', '429', 'throttled'],
    ['QUOTA_EXCEEDED', '429', 'quota_exceeded'],
    ['INVALID_API_KEY', '403', 'tenant_not_provisioned'],
    ['REQUEST_TOO_LARGE', '413', 'payload_too_large'],
  ])('answers %s with %s and a JSON:API error', (type, status, code) => {
    const [, response] = only(
      resources('AWS::ApiGateway::GatewayResponse', { ResponseType: type }),
      `${type} gateway response`,
    );
    expect(response.Properties.StatusCode).toBe(status);
    expect(response.Properties.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Content-Type': "'application/vnd.api+json'",
    });
    const templates = response.Properties.ResponseTemplates as Record<string, string>;
    for (const body of [templates['application/json'], templates['application/vnd.api+json']]) {
      expect(JSON.parse(body ?? '')).toEqual({
        errors: [{ status, code, title: expect.any(String), detail: expect.any(String) }],
      });
    }
  });

  it('answers the 401 with the documented body', () => {
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'UNAUTHORIZED',
      ResponseTemplates: {
        'application/json': JSON.stringify({
          errors: [
            {
              status: '401',
              code: 'unauthorized',
              title: 'Unauthorized',
              detail: 'A valid API key or access token is required.',
            },
          ],
        }),
      },
    });
  });

  it.each(['DEFAULT_4XX', 'DEFAULT_5XX'])('answers %s in JSON:API, keeping the status', (type) => {
    const [, response] = only(
      resources('AWS::ApiGateway::GatewayResponse', { ResponseType: type }),
      `${type} gateway response`,
    );
    expect(response.Properties.StatusCode).toBeUndefined();
    expect(response.Properties.ResponseParameters).toMatchObject({
      'gatewayresponse.header.Content-Type': "'application/vnd.api+json'",
    });
    const body = JSON.parse(
      (response.Properties.ResponseTemplates as Record<string, string>)['application/json']!,
    );
    expect(body.errors[0]).toMatchObject({ code: expect.any(String), detail: expect.any(String) });
  });
});

describe('event bus and outputs', () => {
  it('creates the bus with the configured name', () => {
    template.hasResourceProperties('AWS::Events::EventBus', { Name: 'herald-test' });
  });

  it.each(['ApiUrl', 'EventBusName', 'EventBusArn', 'TableName', 'DashboardName'])('outputs %s', (name) => {
    template.hasOutput(name, { Value: Match.anyValue() });
  });

  it('outputs the REST API id and the tenant usage plan id, which npm run keys provisions against', () => {
    const [restApiId] = only(resources('AWS::ApiGateway::RestApi'), 'REST API');
    const [planId] = only(resources('AWS::ApiGateway::UsagePlan'), 'usage plan');
    template.hasOutput('RestApiId', { Value: { Ref: restApiId } });
    template.hasOutput('TenantUsagePlanId', { Value: { Ref: planId } });
  });
});
