import { createHmac } from 'node:crypto';
import {
  type AccessTokenClaims,
  looksLikeAccessToken,
  signAccessToken,
  verifyAccessToken,
} from '../../functions/domain/access-token';
import { type ApiKeyRecord, hashApiKey, newApiKey } from '../../functions/domain/api-key';
import { BadRequestError, type HeraldError, UnauthorizedError } from '../../functions/domain/errors';
import type { ApiKeyStore, Clock } from '../../functions/domain/ports';
import {
  type AuthDeps,
  authenticate,
  bearerToken,
  exchangeApiKey,
} from '../../functions/domain/use-cases/auth';
import { parseKeyExchange } from '../../functions/shared/api-requests';

const signingKey = 'test-signing-key-0123456789abcdef';
const issuedAt = 1_754_632_592; // 2025-08-08T05:56:32Z

const b64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function claims(overrides: Partial<AccessTokenClaims> = {}): AccessTokenClaims {
  return {
    sub: 'key_01k1x',
    tenant: 'acme',
    iat: issuedAt,
    exp: issuedAt + 900,
    iss: 'herald',
    ...overrides,
  };
}

describe('access tokens', () => {
  it('verifies a token it signed, giving back its claims', () => {
    const token = signAccessToken(claims(), signingKey);
    expect(verifyAccessToken(token, signingKey, issuedAt)).toEqual(claims());
  });

  it('refuses a token whose payload was changed', () => {
    const [head, , signature] = signAccessToken(claims(), signingKey).split('.');
    const forged = `${head}.${b64url(claims({ tenant: 'globex' }))}.${signature}`;
    expect(verifyAccessToken(forged, signingKey, issuedAt)).toBeUndefined();
  });

  it('refuses a token whose signature was changed', () => {
    const token = signAccessToken(claims(), signingKey);
    const [head, payload] = token.split('.');
    const otherSignature = signAccessToken(claims({ sub: 'key_other' }), signingKey).split('.')[2];
    expect(verifyAccessToken(`${head}.${payload}.${otherSignature}`, signingKey, issuedAt)).toBeUndefined();
    expect(verifyAccessToken(`${head}.${payload}.`, signingKey, issuedAt)).toBeUndefined();
  });

  it('refuses a token signed with another key', () => {
    const token = signAccessToken(claims(), 'another-key');
    expect(verifyAccessToken(token, signingKey, issuedAt)).toBeUndefined();
  });

  it('refuses a token at and after its expiry, and accepts it the second before', () => {
    const token = signAccessToken(claims(), signingKey);
    expect(verifyAccessToken(token, signingKey, issuedAt + 899)).toEqual(claims());
    expect(verifyAccessToken(token, signingKey, issuedAt + 900)).toBeUndefined();
    expect(verifyAccessToken(token, signingKey, issuedAt + 86_400)).toBeUndefined();
  });

  it.each<[string, Record<string, string>]>([
    ['alg none', { alg: 'none', typ: 'JWT' }],
    ['alg HS512', { alg: 'HS512', typ: 'JWT' }],
    ['alg RS256', { alg: 'RS256', typ: 'JWT' }],
  ])('refuses a token whose header was changed to %s, even with a valid HMAC', (_name, head) => {
    const body = `${b64url(head)}.${b64url(claims())}`;
    const mac = createHmac('sha256', signingKey).update(body).digest('base64url');
    expect(verifyAccessToken(`${body}.${mac}`, signingKey, issuedAt)).toBeUndefined();
    expect(verifyAccessToken(`${body}.`, signingKey, issuedAt)).toBeUndefined();
  });

  it('refuses a correctly signed token whose claims are not Herald claims', () => {
    const foreign = { ...claims(), iss: 'someone-else' };
    const [head] = signAccessToken(claims(), signingKey).split('.');
    const body = `${head}.${b64url(foreign)}`;
    const mac = createHmac('sha256', signingKey).update(body).digest('base64url');
    expect(verifyAccessToken(`${body}.${mac}`, signingKey, issuedAt)).toBeUndefined();
  });

  it.each(['', 'a.b', 'a.b.c.d', 'not a token'])('refuses the malformed token %p', (token) => {
    expect(verifyAccessToken(token, signingKey, issuedAt)).toBeUndefined();
  });

  it('tells an access token from an API key', () => {
    expect(looksLikeAccessToken(signAccessToken(claims(), signingKey))).toBe(true);
    expect(looksLikeAccessToken(newApiKey('acme', new Date()).key)).toBe(false);
  });
});

describe('API keys', () => {
  const now = new Date('2025-08-08T05:56:32.136Z');

  it('makes keys of the form hrld_<key id>_<secret>', () => {
    const { key, record } = newApiKey('acme', now, 'ci');
    expect(key).toMatch(/^hrld_[0-9a-hjkmnp-tv-z]{26}_[A-Za-z0-9_-]{43}$/);
    expect(record.keyId).toMatch(/^key_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(key.startsWith(`hrld_${record.keyId.slice(4)}_`)).toBe(true);
    expect(record).toMatchObject({
      tenant: 'acme',
      createdAt: now.toISOString(),
      revokedAt: null,
      label: 'ci',
    });
  });

  it('stores only the hash of the key', () => {
    const { key, record } = newApiKey('acme', now);
    const secret = key.slice(-43);
    expect(record.hash).toBe(hashApiKey(key));
    const json = JSON.stringify(record);
    expect(json).not.toContain(key);
    expect(json).not.toContain(secret);
  });

  it('makes a different key every time', () => {
    const first = newApiKey('acme', now);
    const second = newApiKey('acme', now);
    expect(first.key).not.toBe(second.key);
    expect(first.record.keyId).not.toBe(second.record.keyId);
  });

  it('hashes a key to the same SHA-256 hex every time, and different keys differently', () => {
    expect(hashApiKey('hrld_abc_def')).toBe(hashApiKey('hrld_abc_def'));
    expect(hashApiKey('hrld_abc_def')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashApiKey('hrld_abc_def')).not.toBe(hashApiKey('hrld_abc_deg'));
  });
});

/** An in-memory ApiKeyStore: the port's behaviour, no storage. */
class InMemoryApiKeyStore implements ApiKeyStore {
  private readonly records = new Map<string, ApiKeyRecord>();

  async create(record: ApiKeyRecord): Promise<void> {
    if (this.records.has(record.keyId)) throw new Error(`key ${record.keyId} exists`);
    this.records.set(record.keyId, { ...record });
  }

  async findByHash(hash: string): Promise<ApiKeyRecord | undefined> {
    const found = [...this.records.values()].find((r) => r.hash === hash);
    return found && { ...found };
  }

  async findById(tenant: string, keyId: string): Promise<ApiKeyRecord | undefined> {
    const found = this.records.get(keyId);
    return found && found.tenant === tenant ? { ...found } : undefined;
  }

  async list(tenant: string): Promise<ApiKeyRecord[]> {
    return [...this.records.values()].filter((r) => r.tenant === tenant).map((r) => ({ ...r }));
  }

  async revoke(tenant: string, keyId: string, at: Date): Promise<boolean> {
    const found = this.records.get(keyId);
    if (!found || found.tenant !== tenant) return false;
    this.records.set(keyId, { ...found, revokedAt: at.toISOString() });
    return true;
  }

  private readonly portalRevocations = new Map<string, Date>();

  async portalSessionsRevokedAt(tenant: string): Promise<Date | undefined> {
    return this.portalRevocations.get(tenant);
  }

  async revokePortalSessions(tenant: string, at: Date): Promise<void> {
    const current = this.portalRevocations.get(tenant);
    if (!current || current < at) this.portalRevocations.set(tenant, at);
  }
}

class FixedClock implements Clock {
  constructor(private current: Date) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(seconds: number): void {
    this.current = new Date(this.current.getTime() + seconds * 1000);
  }
}

describe('authentication use cases', () => {
  const ttl = 900;
  let keys: InMemoryApiKeyStore;
  let clock: FixedClock;
  let deps: AuthDeps;
  let acmeKey: string;
  let acmeKeyId: string;

  beforeEach(async () => {
    keys = new InMemoryApiKeyStore();
    clock = new FixedClock(new Date(issuedAt * 1000));
    deps = { keys, clock, signingKey: { get: async () => signingKey }, accessTokenTtlSeconds: ttl };
    const { key, record } = newApiKey('acme', clock.now(), 'ci');
    await keys.create(record);
    await keys.create(newApiKey('globex', clock.now()).record);
    acmeKey = key;
    acmeKeyId = record.keyId;
  });

  async function rejection(promise: Promise<unknown>): Promise<HeraldError> {
    try {
      await promise;
    } catch (error) {
      return error as HeraldError;
    }
    throw new Error('expected the promise to reject');
  }

  describe('bearerToken', () => {
    it.each<[string | undefined, string | undefined]>([
      ['Bearer abc.def.ghi', 'abc.def.ghi'],
      ['bearer hrld_x_y', 'hrld_x_y'],
      ['BEARER  hrld_x_y  ', 'hrld_x_y'],
      ['Basic dXNlcjpwYXNz', undefined],
      ['hrld_x_y', undefined],
      ['Bearer', undefined],
      ['Bearer ', undefined],
      ['Bearer a b', undefined],
      ['', undefined],
      [undefined, undefined],
    ])('reads %p as %p', (header, token) => {
      expect(bearerToken(header)).toBe(token);
    });
  });

  describe('authenticate', () => {
    it('maps a valid API key to its tenant and key id', async () => {
      await expect(authenticate(deps, `Bearer ${acmeKey}`)).resolves.toEqual({
        tenant: 'acme',
        keyId: acmeKeyId,
      });
    });

    it('refuses a revoked key', async () => {
      await keys.revoke('acme', acmeKeyId, clock.now());
      const error = await rejection(authenticate(deps, `Bearer ${acmeKey}`));
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(error.status).toBe(401);
    });

    const tamper = (key: string) => `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`;

    it.each<[string, (key: string) => string | undefined]>([
      ['an unknown key', () => `Bearer hrld_${'0'.repeat(26)}_${'A'.repeat(43)}`],
      ['a known key with its last character changed', (key) => `Bearer ${tamper(key)}`],
      ['no header', () => undefined],
      ['an empty header', () => ''],
      ['the Basic scheme', (key) => `Basic ${Buffer.from(`acme:${key}`).toString('base64')}`],
      ['the key without a scheme', (key) => key],
      ['an oversized token', () => `Bearer ${'a'.repeat(5000)}`],
    ])('refuses %s with 401', async (_case, header) => {
      const error = await rejection(authenticate(deps, header(acmeKey)));
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(error.status).toBe(401);
    });

    it('refuses a token signed with another key', async () => {
      const forged = signAccessToken(claims({ sub: acmeKeyId }), 'not-the-signing-key');
      await expect(authenticate(deps, `Bearer ${forged}`)).rejects.toBeInstanceOf(UnauthorizedError);
    });

    it('refuses a valid token that names a key of another tenant', async () => {
      const token = signAccessToken(claims({ sub: acmeKeyId, tenant: 'globex' }), signingKey);
      await expect(authenticate(deps, `Bearer ${token}`)).rejects.toBeInstanceOf(UnauthorizedError);
    });
  });

  describe('exchangeApiKey', () => {
    it('exchanges an API key for a short-lived bearer token', async () => {
      const response = await exchangeApiKey(deps, { api_token: acmeKey, tenant: 'acme' });
      expect(response).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: ttl });
      expect(looksLikeAccessToken(response.access_token)).toBe(true);
      expect(verifyAccessToken(response.access_token, signingKey, issuedAt)).toEqual({
        sub: acmeKeyId,
        tenant: 'acme',
        iat: issuedAt,
        exp: issuedAt + ttl,
        iss: 'herald',
      });
    });

    it('gives a token that authenticates as the same principal as the key', async () => {
      const { access_token } = await exchangeApiKey(deps, { api_token: acmeKey, tenant: 'acme' });
      const byKey = await authenticate(deps, `Bearer ${acmeKey}`);
      await expect(authenticate(deps, `Bearer ${access_token}`)).resolves.toEqual(byKey);
    });

    it('stops honouring the token once its key is revoked', async () => {
      const { access_token } = await exchangeApiKey(deps, { api_token: acmeKey, tenant: 'acme' });
      await keys.revoke('acme', acmeKeyId, clock.now());
      await expect(authenticate(deps, `Bearer ${access_token}`)).rejects.toBeInstanceOf(UnauthorizedError);
    });

    it('stops honouring the token once it expires', async () => {
      const { access_token } = await exchangeApiKey(deps, { api_token: acmeKey, tenant: 'acme' });
      clock.advance(ttl - 1);
      await expect(authenticate(deps, `Bearer ${access_token}`)).resolves.toEqual({
        tenant: 'acme',
        keyId: acmeKeyId,
      });
      clock.advance(1);
      await expect(authenticate(deps, `Bearer ${access_token}`)).rejects.toBeInstanceOf(UnauthorizedError);
    });

    it.each(['globex', 'ACME', 'acme2', 'acme/../globex'])(
      'refuses an exchange for the tenant %p the key does not belong to',
      async (tenant) => {
        await expect(exchangeApiKey(deps, { api_token: acmeKey, tenant })).rejects.toBeInstanceOf(
          UnauthorizedError,
        );
      },
    );

    it('refuses an access token as api_token, so a token cannot extend itself', async () => {
      const { access_token } = await exchangeApiKey(deps, { api_token: acmeKey, tenant: 'acme' });
      await expect(exchangeApiKey(deps, { api_token: access_token, tenant: 'acme' })).rejects.toBeInstanceOf(
        UnauthorizedError,
      );
    });

    it('refuses a revoked key', async () => {
      await keys.revoke('acme', acmeKeyId, clock.now());
      await expect(exchangeApiKey(deps, { api_token: acmeKey, tenant: 'acme' })).rejects.toBeInstanceOf(
        UnauthorizedError,
      );
    });

    it.each<[string, unknown, string[]]>([
      ['an empty object', {}, ['/api_token', '/tenant']],
      ['no body', null, ['/api_token', '/tenant']],
      ['an array', [acmeKey, 'acme'], ['/api_token', '/tenant']],
      ['no tenant', { api_token: 'hrld_x_y' }, ['/tenant']],
      ['no api_token', { tenant: 'acme' }, ['/api_token']],
      ['empty strings', { api_token: '', tenant: '' }, ['/api_token', '/tenant']],
      ['a numeric tenant', { api_token: 'hrld_x_y', tenant: 42 }, ['/tenant']],
    ])('answers %s with a bad request pointing at the missing fields', async (_case, body, pointers) => {
      // The body is parsed at the edge (functions/shared/api-requests.ts), as the route does.
      const error = await rejection((async () => exchangeApiKey(deps, parseKeyExchange(body)))());
      expect(error).toBeInstanceOf(BadRequestError);
      expect(error.problems.map((p) => p.source?.pointer)).toEqual(pointers);
      expect(error.problems.every((p) => p.code === 'required')).toBe(true);
    });
  });
});
