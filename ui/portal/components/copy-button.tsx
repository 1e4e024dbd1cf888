export { CopyButton } from '../../shared/copy-button';
