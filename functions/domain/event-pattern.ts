import { eventTypeNames } from './event-catalog';

/**
 * The bus rule that sends platform events to the router: the configured source and the
 * catalog's event types. The stack's rule and local mode's `PutEvents` endpoint both use it.
 */
export interface EventPattern {
  source: string[];
  'detail-type': string[];
}

export function platformEventPattern(source: string): EventPattern {
  return { source: [source], 'detail-type': [...eventTypeNames] };
}

/** EventBridge's matching for the pattern's shape: every field's value is one of the listed. */
export function matchesPattern(
  pattern: EventPattern,
  event: { source: string; 'detail-type': string },
): boolean {
  return pattern.source.includes(event.source) && pattern['detail-type'].includes(event['detail-type']);
}
