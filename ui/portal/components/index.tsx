/** The portal's shared widgets, for every page (the shell's and the log's). */
export { CopyButton } from './copy-button';
export { ErrorNotice, errorLines } from './error-notice';
export { Loading } from './loading';
export { usePageTitle } from './page-title';
export { Time } from './time';
export { WebhookHealth, WebhookStatus } from './webhook-status';
