// STAND-IN for helper portal-log's page (its file): replaced by theirs on merge.
import { usePageTitle } from '../components/page-title';
import type { PageProps } from '../session';

export function DeliveryDetailPage({
  session,
  deliveryId,
}: PageProps & { webhookId: string; deliveryId: string }) {
  usePageTitle('Delivery', session);
  return <h1>Delivery {deliveryId}</h1>;
}
