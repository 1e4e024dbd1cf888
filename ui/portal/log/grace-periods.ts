/**
 * How long the old signing secret keeps signing after a rotation, as the portal offers it. Zero
 * ends it at once: the choice after a leak. The API takes up to a week.
 */
export const gracePeriods = [
  { seconds: 0, label: 'None: the old secret stops now' },
  { seconds: 3600, label: '1 hour' },
  { seconds: 86_400, label: '24 hours' },
  { seconds: 7 * 86_400, label: '7 days' },
] as const;

/** The choice the form starts on: a day, the API's own default, time enough to deploy the new secret. */
export const defaultGraceSeconds = 86_400;
