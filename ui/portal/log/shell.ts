/**
 * What the log's pages take from the portal shell, imported in this one place: the session, the
 * shared widgets. The shell owns these files; a move there is a change here only.
 */
export { CopyButton, ErrorNotice, Loading, Time, WebhookHealth, WebhookStatus } from '../components';
export { can, type PageProps, type PortalSession } from '../session';
