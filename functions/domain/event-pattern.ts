import { platformEventTypeNames } from './event-catalog';
import { operationalEventTypes, operationalSource } from './operational-events';

/**
 * The bus rule that sends events to the router: the platform's events (the configured source and
 * the catalog's platform types) or Herald's own operational events (source `herald` and the
 * operational types), as EventBridge's `$or` of the two. The stack's rule and local mode's
 * `PutEvents` endpoint both use it. The platform's source cannot publish operational types, nor
 * `herald` platform types.
 */
export interface EventPattern {
  source: string[];
  'detail-type': string[];
}

/** A rule's pattern: an event matches when it matches one of the alternatives. */
export interface RulePattern {
  $or: EventPattern[];
}

export function platformEventPattern(source: string): EventPattern {
  return { source: [source], 'detail-type': [...platformEventTypeNames] };
}

export function operationalEventPattern(): EventPattern {
  return { source: [operationalSource], 'detail-type': [...operationalEventTypes] };
}

/** The router's rule: platform events from `source`, and operational events from Herald. */
export function routerRulePattern(source: string): RulePattern {
  return { $or: [platformEventPattern(source), operationalEventPattern()] };
}

/** EventBridge's matching for the pattern's shape: every field's value is one of the listed. */
export function matchesPattern(
  pattern: EventPattern | RulePattern,
  event: { source: string; 'detail-type': string },
): boolean {
  if ('$or' in pattern) return pattern.$or.some((alternative) => matchesPattern(alternative, event));
  return pattern.source.includes(event.source) && pattern['detail-type'].includes(event['detail-type']);
}
