import { z } from 'zod';

/**
 * Function configuration, read once from the environment at cold start and failing fast when
 * something required is missing. The stack sets these variables; local mode sets the same ones.
 */
const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const listString = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0),
  )
  .pipe(z.array(z.string()).min(1));

const apiEnvSchema = z.object({
  TABLE_NAME: z.string().min(1),
  HERALD_EVENT_SOURCE: z.string().min(1).default('CredoAI'),
  HERALD_DEFAULT_TYPE_PREFIX: z.string().default(''),
  HERALD_ALLOWED_ENVIRONMENTS: listString.default('production,staging,qa,development,sandbox'),
  HERALD_ALLOW_PRIVATE_TARGETS: booleanString.default('false'),
  /** Secrets Manager secret holding the access-token signing key (deployed). */
  TOKEN_SIGNING_SECRET_ARN: z.string().optional(),
  /** The signing key itself (local mode only). */
  HERALD_TOKEN_SIGNING_KEY: z.string().min(32).optional(),
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(60).max(86_400).default(900),
});

export type ApiConfig = {
  tableName: string;
  eventSource: string;
  defaultTypePrefix: string;
  allowedEnvironments: string[];
  allowPrivateTargets: boolean;
  tokenSigningKey: { secretArn: string } | { key: string };
  accessTokenTtlSeconds: number;
};

/** Reads the API and authorizer functions' configuration; throws naming every bad variable. */
export function readApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = apiEnvSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const tokenSigningKey = e.HERALD_TOKEN_SIGNING_KEY
    ? { key: e.HERALD_TOKEN_SIGNING_KEY }
    : e.TOKEN_SIGNING_SECRET_ARN
      ? { secretArn: e.TOKEN_SIGNING_SECRET_ARN }
      : undefined;
  if (!tokenSigningKey) {
    throw new Error(
      'Invalid configuration: set TOKEN_SIGNING_SECRET_ARN (or HERALD_TOKEN_SIGNING_KEY locally)',
    );
  }
  return {
    tableName: e.TABLE_NAME,
    eventSource: e.HERALD_EVENT_SOURCE,
    defaultTypePrefix: e.HERALD_DEFAULT_TYPE_PREFIX,
    allowedEnvironments: e.HERALD_ALLOWED_ENVIRONMENTS,
    allowPrivateTargets: e.HERALD_ALLOW_PRIVATE_TARGETS,
    tokenSigningKey,
    accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
  };
}
