/**
 * Modules a command needs only when it runs, loaded then: the AWS SDK clients take 150 to 250 ms
 * each to load, which `herald --help` and the API commands should not pay. `require` rather than
 * `import()`: the bin registers only tsx's CommonJS hook, because its ESM hook adds about 100 ms to
 * every start (measured on `herald --help`), and `import()` of a TypeScript file needs it.
 */
export const lazy = {
  eventBridge: (): typeof import('@aws-sdk/client-eventbridge') => require('@aws-sdk/client-eventbridge'),
  tenantKeys: (): typeof import('./tenant-keys') => require('./tenant-keys'),
  stack: (): typeof import('./stack') => require('./stack'),
  client: (): typeof import('../clients/typescript/src') => require('../clients/typescript/src'),
  platformEvent: (): typeof import('../functions/domain/platform-event') =>
    require('../functions/domain/platform-event'),
  standardWebhooks: (): typeof import('standardwebhooks') => require('standardwebhooks'),
};
