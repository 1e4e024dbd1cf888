/**
 * Credentials and region the emulators and local mode's `PutEvents` endpoint accept; never used
 * against AWS. A module of its own so that the CLI can use it without loading the emulators.
 */
export const localAwsConfig = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
} as const;
