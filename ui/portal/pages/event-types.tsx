// STAND-IN for helper portal-log's page (its file): replaced by theirs on merge.
import { usePageTitle } from '../components/page-title';
import type { PageProps } from '../session';

export function EventTypesPage({ session }: PageProps) {
  usePageTitle('Event types', session);
  return <h1>Event types</h1>;
}
