/**
 * Typed settings of a Herald deployment. Local mode reads the same settings from environment
 * variables (see README "Settings").
 */
export interface HeraldSettings {
  /** The platform's event source, accepted by the bus rule and used as the envelope's `source`. @default 'CredoAI' */
  readonly eventSource: string;
  /** The EventBridge bus name. @default 'herald' */
  readonly busName: string;
  /** Prefix stored on a webhook created without `event_type_prefix`; empty for none. @default '' */
  readonly defaultTypePrefix: string;
  /** Values a webhook's `environment` may take. @default ['production','staging','qa','development','sandbox'] */
  readonly allowedEnvironments: readonly string[];
  /** Lifetime of an access token from `POST /auth/exchange`, in seconds. @default 900 */
  readonly accessTokenTtlSeconds: number;
  /** How long API Gateway caches an authorizer decision, in seconds (a revoked key works at most this long). @default 60 */
  readonly authorizerCacheSeconds: number;
  /** Stage throttling: steady requests per second. @default 50 */
  readonly throttleRateLimit: number;
  /** Stage throttling: burst. @default 100 */
  readonly throttleBurstLimit: number;
  /** CloudWatch Logs retention for the functions and API access logs, in days. @default 30 */
  readonly logRetentionDays: number;
}

export const defaultSettings: HeraldSettings = {
  eventSource: 'CredoAI',
  busName: 'herald',
  defaultTypePrefix: '',
  allowedEnvironments: ['production', 'staging', 'qa', 'development', 'sandbox'],
  accessTokenTtlSeconds: 900,
  authorizerCacheSeconds: 60,
  throttleRateLimit: 50,
  throttleBurstLimit: 100,
  logRetentionDays: 30,
};
