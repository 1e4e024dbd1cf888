import { Logger } from '@aws-lambda-powertools/logger';

/** One structured JSON logger per function. Never give it a secret, a key, a token or a request body. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'herald' });
