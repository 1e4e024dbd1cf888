import { createHash, randomBytes } from 'node:crypto';
import { newId } from './ids';

/**
 * Tenant API keys. A key is `hrld_<keyId>_<secret>`; Herald keeps only its SHA-256, so a leaked
 * table does not leak keys. The key id is public (it names the key in lists and logs).
 */
export interface ApiKeyRecord {
  keyId: string;
  tenant: string;
  hash: string;
  createdAt: string;
  revokedAt: string | null;
  label: string | null;
}

export const tenantPattern = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Makes a new key for a tenant: the key itself (shown once) and the record to store. */
export function newApiKey(
  tenant: string,
  now: Date,
  label: string | null = null,
  key?: string,
): { key: string; record: ApiKeyRecord } {
  const keyId = newId('key', now);
  const value = key ?? `hrld_${keyId.slice(4)}_${randomBytes(32).toString('base64url')}`;
  return {
    key: value,
    record: { keyId, tenant, hash: hashApiKey(value), createdAt: now.toISOString(), revokedAt: null, label },
  };
}
