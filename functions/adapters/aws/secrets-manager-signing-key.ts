import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SigningKeyProvider } from '../../domain/ports';

/** The access-token signing key from Secrets Manager, fetched once per container. */
export class SecretsManagerSigningKey implements SigningKeyProvider {
  private value?: Promise<string>;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretArn: string,
  ) {}

  get(): Promise<string> {
    this.value ??= this.client.send(new GetSecretValueCommand({ SecretId: this.secretArn })).then((out) => {
      if (!out.SecretString || out.SecretString.length < 32)
        throw new Error('The token signing secret is empty or short');
      return out.SecretString;
    });
    // A failed fetch is not cached: the next request tries again.
    this.value.catch(() => {
      this.value = undefined;
    });
    return this.value;
  }
}

/** A fixed key (local mode). */
export class StaticSigningKey implements SigningKeyProvider {
  constructor(private readonly key: string) {}
  async get(): Promise<string> {
    return this.key;
  }
}
