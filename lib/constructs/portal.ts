import { Aws, type CfnElement, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  Function as EdgeFunction,
  FunctionCode,
  FunctionEventType,
  FunctionRuntime,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginProtocolPolicy,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { HttpOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import type { HeraldSettings } from '../config';
import { portalContentSecurityPolicy } from '../portal-security';
import { apiStageName } from './api';

export interface PortalProps {
  readonly settings: HeraldSettings;
  readonly restApi: RestApi;
  /** The built UI (`ui/dist`): the portal page and the assets it loads. */
  readonly assetPath: string;
}

/**
 * The customer portal: the built UI in a private bucket behind CloudFront (origin access
 * control, HTTPS only, security headers, access logs). The same distribution forwards `/api/*`
 * and `/auth/*` to the API, so the portal calls the API on its own origin: no CORS, and the
 * session token never leaves for another host.
 *
 * The API origin is named by the REST API's id, not its URL: the URL names the stage, which
 * depends on the API function, whose environment names this distribution (a cycle).
 */
export class Portal extends Construct {
  readonly distribution: Distribution;
  readonly bucket: Bucket;
  /** The portal's base URL; a session's link is this plus `#token=…`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: PortalProps) {
    super(scope, id);
    const { settings, restApi } = props;

    const logs = new Bucket(this, 'Logs', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      // CloudFront's standard logs are written with an ACL.
      objectOwnership: ObjectOwnership.OBJECT_WRITER,
      lifecycleRules: [{ expiration: Duration.days(settings.logRetentionDays) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(logs).acknowledge({
      id: 'AwsSolutions-S1',
      reason: 'The access-log bucket itself: logging its own access would log the logging.',
    });

    this.bucket = new Bucket(this, 'Site', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      serverAccessLogsPrefix: 's3/',
      // Built files, deployed again by every `cdk deploy`.
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const headers = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Herald portal: CSP, HSTS, no sniffing, no referrer, framing only by allowed origins',
      securityHeadersBehavior: {
        contentSecurityPolicy: {
          contentSecurityPolicy: portalContentSecurityPolicy(settings.portalFrameAncestors),
          override: true,
        },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(365),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        // `frame-ancestors` decides where CSP is understood; X-Frame-Options for the rest.
        ...(settings.portalFrameAncestors.length === 0
          ? { frameOptions: { frameOption: HeadersFrameOption.DENY, override: true } }
          : {}),
      },
    });

    // S3 through origin access control has no directory index: `/portal/` is `/portal/index.html`.
    const directoryIndex = new EdgeFunction(this, 'DirectoryIndex', {
      comment: 'Herald portal: serve index.html for a directory path',
      runtime: FunctionRuntime.JS_2_0,
      code: FunctionCode.fromInline(
        "function handler(event) { var r = event.request; if (r.uri.endsWith('/')) { r.uri += 'index.html'; } return r; }",
      ),
    });

    const api = new HttpOrigin(`${restApi.restApiId}.execute-api.${Aws.REGION}.${Aws.URL_SUFFIX}`, {
      originPath: `/${apiStageName}`,
      protocolPolicy: OriginProtocolPolicy.HTTPS_ONLY,
    });
    const apiBehavior = {
      origin: api,
      viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: AllowedMethods.ALLOW_ALL,
      // Nothing cached; every viewer header but Host forwarded (Authorization among them, which
      // CloudFront allows only with caching off).
      cachePolicy: CachePolicy.CACHING_DISABLED,
      originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
    };

    this.distribution = new Distribution(this, 'Distribution', {
      comment: 'Herald customer portal',
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        responseHeadersPolicy: headers,
        functionAssociations: [{ function: directoryIndex, eventType: FunctionEventType.VIEWER_REQUEST }],
      },
      additionalBehaviors: { '/api/*': apiBehavior, '/auth/*': apiBehavior },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: logs,
      logFilePrefix: 'cloudfront/',
    });
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'The portal serves the platform’s customers wherever they are; a platform may add geo restrictions.',
      },
      {
        id: 'AwsSolutions-CFR2',
        reason:
          'A WAFv2 web ACL for CloudFront lives in us-east-1 and is per account; attach one when needed. The API behind it keeps its authorizer and throttles.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The default *.cloudfront.net certificate cannot be pinned to TLS 1.2; with a custom domain and certificate, the distribution sets TLSv1.2_2021.',
      },
    );

    const deployment = new BucketDeployment(this, 'Files', {
      // The portal and the assets it loads; the inbox is local mode's alone.
      sources: [Source.asset(props.assetPath, { exclude: ['inbox', 'inbox/**'] })],
      destinationBucket: this.bucket,
      distribution: this.distribution,
      distributionPaths: ['/*'],
      memoryLimit: 256,
    });
    // The copying function is a singleton of the stack, made by aws-cdk-lib, not under this construct.
    const copier = Stack.of(this)
      .node.children.filter((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'))
      .concat(deployment.handlerRole);
    const copierReason =
      'The CDK-managed function of BucketDeployment, which copies the built portal into its bucket and invalidates the distribution on deploy only';
    for (const construct of copier) {
      Validations.of(construct).acknowledge(
        {
          id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
          reason: `${copierReason}: its logs.`,
        },
        ...['s3:Abort*', 's3:DeleteObject*', 's3:GetBucket*', 's3:GetObject*', 's3:List*'].map((action) => ({
          id: `AwsSolutions-IAM5[Action::${action}]`,
          reason: `${copierReason}: aws-cdk-lib's grants on the CDK asset bucket and the portal bucket.`,
        })),
        {
          id: `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as CfnElement)}.Arn>/*]`,
          reason: `${copierReason}: the portal bucket's objects.`,
        },
        {
          id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]',
          reason: `${copierReason}: the CDK asset bucket's objects, where the built files are staged.`,
        },
        {
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: `${copierReason}: cloudfront:CreateInvalidation and GetInvalidation, granted on "*" by aws-cdk-lib.`,
        },
        { id: 'AwsSolutions-L1', reason: `${copierReason}: its runtime is aws-cdk-lib's choice.` },
      );
    }

    this.url = `https://${this.distribution.distributionDomainName}/portal/`;
  }
}
