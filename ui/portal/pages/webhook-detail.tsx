// STAND-IN for helper portal-log's page (its file): replaced by theirs on merge.
import { useEffect, useState } from 'preact/hooks';
import { HeraldApiError, type WebhookResource } from '../../../clients/typescript/src/index';
import { ErrorNotice } from '../components/error-notice';
import { Loading } from '../components/loading';
import { usePageTitle } from '../components/page-title';
import { routes } from '../routes';
import type { PageProps } from '../session';
import { WebhookNotFound } from './webhook-form';

export function WebhookDetailPage({ session, client, webhookId }: PageProps & { webhookId: string }) {
  const [webhook, setWebhook] = useState<WebhookResource | 'not-found'>();
  const [error, setError] = useState<unknown>();
  usePageTitle(webhook === 'not-found' ? 'Webhook not found' : 'Webhook', session);
  useEffect(() => {
    client.webhooks.get(webhookId).then(
      (doc) => setWebhook(doc.data),
      (caught: unknown) =>
        caught instanceof HeraldApiError && caught.status === 404
          ? setWebhook('not-found')
          : setError(caught),
    );
  }, [client, webhookId]);
  if (webhook === 'not-found') return <WebhookNotFound />;
  if (error) return <ErrorNotice error={error} />;
  if (!webhook) return <Loading label="Loading the webhook" />;
  return (
    <>
      <h1>{webhook.attributes.description}</h1>
      <p>
        <a href={routes.editWebhook(webhook.id)}>Edit</a>
      </p>
    </>
  );
}
