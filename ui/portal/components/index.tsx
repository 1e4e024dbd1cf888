/** The portal's shared widgets, for every page (the shell's and the log's). */
export { CopyButton } from './copy-button';
export { ErrorNotice, errorLines } from './error-notice';
export {
  describedBy,
  describedControl,
  ErrorSummary,
  FieldError,
  FieldHint,
  type SummaryItem,
  TextField,
} from './form-fields';
export { Loading } from './loading';
export { usePageTitle } from './page-title';
export { Time } from './time';
export { DeleteSection, StatusSection } from './webhook-actions';
export { WebhookHealth, WebhookStatus } from './webhook-status';
