import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { metricsNamespace } from '../../functions/shared/metrics';

/** The repository root: entries, the lockfile and tsconfig are resolved from here. */
const projectRoot = path.resolve(__dirname, '..', '..');

/**
 * Modules that a function's code imports but never runs, left out of the bundles (`--external`):
 * a `require` of one would fail, or load the runtime's own copy. Each is reached on one path only.
 */
export const unreachedModules = [
  // The AWS SDK's default credential chain loads these by dynamic import only when its first
  // link fails: Lambda puts the role's credentials in the environment, which that link reads.
  // With the STS and SSO clients they need, about 90 KB a function. (The runtime has them.)
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
  // undici's HTTP/1.1 parser without WebAssembly SIMD (72 KB): loaded only where compiling the
  // SIMD one fails, which Node 24 on arm64 does not, or under jest.
  '*llhttp-wasm.js',
  // undici's fetch body (with WebIDL and the multipart parser, 44 KB): its clients load it only
  // to send a FormData body; Herald sends strings.
  '*/web/fetch/body.js',
] as const;

/** How much of the table a function may touch; the grant follows from it. */
export type TableAccess =
  /** Every item operation (the API). */
  | 'readWrite'
  /** `GetItem` only (the authorizer: one key lookup by hash). */
  | 'getItem'
  /** Exactly these item actions, e.g. `['dynamodb:Query']` for the router. */
  | { readonly actions: readonly string[] };

export interface HeraldFunctionProps {
  /** The handler module, relative to the repository root, e.g. `functions/handlers/api.ts`. It exports `handler`. */
  readonly entry: string;
  /** What the function does, shown in the console. */
  readonly description: string;
  /** CloudWatch Logs retention of the function's log group. */
  readonly logRetention: RetentionDays;
  /** @default 512 */
  readonly memorySize?: number;
  /** Application log level (Powertools and Lambda's JSON log filter). @default 'INFO' */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /** X-Ray active tracing. @default true */
  readonly tracing?: boolean;
  /** @default Duration.seconds(10) */
  readonly timeout?: Duration;
  /** Variables added to the common ones (`POWERTOOLS_SERVICE_NAME`, `POWERTOOLS_LOG_LEVEL`, `POWERTOOLS_METRICS_NAMESPACE`). @default - none */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * Every Herald Lambda function: Node.js 24 on arm64, bundled locally by esbuild (minified, with
 * source maps), X-Ray tracing, its own log group with a retention, and its own role holding only
 * what the `bind*` helpers grant (no AWS managed policy).
 */
export class HeraldFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: HeraldFunctionProps) {
    super(scope, id);

    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // An explicit role instead of the default one, which carries the AWS managed
    // AWSLambdaBasicExecutionRole (logs on every log group in the account).
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Herald ${id} function`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      entry: path.join(projectRoot, props.entry),
      handler: 'handler',
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      description: props.description,
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: props.tracing === false ? Tracing.DISABLED : Tracing.ACTIVE,
      // JSON logs, and no START/END/REPORT lines: at a line per invocation they cost more than
      // Herald's own logs (docs/cost.md); duration and memory are in Lambda's metrics anyway.
      loggingFormat: LoggingFormat.JSON,
      systemLogLevelV2: SystemLogLevel.WARN,
      // Lambda counts a JSON line without a level (the EMF metric lines) as INFO: filtering above
      // INFO here would drop the metrics. Powertools applies the configured level to Herald's lines.
      applicationLogLevelV2:
        props.logLevel === 'DEBUG' ? ApplicationLogLevel.DEBUG : ApplicationLogLevel.INFO,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'herald',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        // Where the EMF lines of functions/shared/metrics.ts land: the namespace the alarms read.
        POWERTOOLS_METRICS_NAMESPACE: metricsNamespace,
        // No NODE_OPTIONS=--enable-source-maps: with it Node reads and parses the source map at
        // every cold start (20-30 ms; docs/benchmarks.md). The map still
        // ships beside index.js (`sourceMap` below), so a stack trace from the logs decodes offline
        // against the deployed code's own map (cdk.out, or the function's code package) with
        // `new (require('node:module').SourceMap)(map).findEntry(line - 1, column - 1)`.
        ...props.environment,
        // Deployed, Herald never targets private addresses or plain http; no props can change that.
        HERALD_ALLOW_PRIVATE_TARGETS: 'false',
      },
      bundling: {
        forceDockerBundling: false,
        minify: true,
        sourceMap: true,
        // Stack traces need the mappings, not the sources: keeps the bundle small.
        sourcesContent: false,
        target: 'node24',
        format: OutputFormat.CJS,
        // The ES module entry points where a package has them: the SDK clients' CommonJS entries
        // pull in all of @aws-sdk/core (every protocol, and bowser, a browser user-agent parser),
        // which their ES modules let esbuild leave out (about 230 KB a function).
        mainFields: ['module', 'main'],
        // Bundle everything, the AWS SDK included: the deployed code then runs the SDK versions
        // from package-lock.json that the tests ran against, not whichever v3 release the
        // runtime ships that month, and esbuild keeps only the clients we import. The cost is a
        // few hundred KB of minified code per function.
        // Except `unreachedModules`, which no code path of a deployed function loads.
        externalModules: [...unreachedModules],
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing grants xray:PutTraceSegments and xray:PutTelemetryRecords, which support no ' +
        'resource-level permissions. test/infra checks that these are the only actions on "*".',
    });
  }

  /** Adds an environment variable to the function. */
  addEnvironment(name: string, value: string): this {
    this.function.addEnvironment(name, value);
    return this;
  }

  /** Gives the function the table: `TABLE_NAME` and the grant for `access`, together. */
  bindTable(table: ITable, access: TableAccess): this {
    this.function.addEnvironment('TABLE_NAME', table.tableName);
    if (access === 'readWrite') {
      table.grantReadWriteData(this.function);
      const reason =
        "Reading and writing a table encrypted with a customer-managed key needs the key's data-key " +
        'actions; the statement is limited to that one key ARN.';
      Validations.of(this.role).acknowledge(
        { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
        { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
      );
    } else {
      // `grant` with explicit actions adds no KMS permission, and reading a CMK-encrypted table
      // needs kms:Decrypt (writing also needs data keys).
      const actions = access === 'getItem' ? ['dynamodb:GetItem'] : [...access.actions];
      // On the table alone: `table.grant` would add its indexes (`/index/*`) too, were there any.
      this.function.addToRolePolicy(new iam.PolicyStatement({ actions, resources: [table.tableArn] }));
      if (actions.some((a) => /Put|Update|Delete|Write/.test(a))) {
        table.encryptionKey?.grantEncryptDecrypt(this.function);
        const reason =
          "Writing to a table encrypted with a customer-managed key needs the key's data-key actions; " +
          'the statement is limited to that one key ARN.';
        Validations.of(this.role).acknowledge(
          { id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]', reason },
          { id: 'AwsSolutions-IAM5[Action::kms:ReEncrypt*]', reason },
        );
      } else {
        table.encryptionKey?.grantDecrypt(this.function);
      }
    }
    return this;
  }

  /** Gives the function read access to a secret, its ARN in the variable `variable`. */
  bindSecret(variable: string, secret: ISecret): this {
    this.function.addEnvironment(variable, secret.secretArn);
    secret.grantRead(this.function);
    return this;
  }
}
