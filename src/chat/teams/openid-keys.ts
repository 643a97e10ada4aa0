import { createRemoteJWKSet, customFetch, type JWTVerifyGetKey } from 'jose';
import { z } from 'zod';

/** The part of an OpenID metadata document the bot relies on. */
const metadataSchema = z.object({ jwks_uri: z.url({ protocol: /^https?$/ }) });

/** The signing keys could not be had: the metadata or the JWKS did not answer, or answered nonsense. */
export class OpenIdKeysError extends Error {
  override name = 'OpenIdKeysError';
}

export interface OpenIdKeysOptions {
  /** e.g. https://login.botframework.com/v1/.well-known/openidconfiguration */
  metadataUrl: string;
  fetch?: typeof fetch;
  /** How long the metadata (and so the JWKS address) is kept; default 24 h, as Microsoft advises. */
  metadataTtlMs?: number;
  /** Minimum pause between two JWKS fetches for an unknown `kid` (default 30 s; tests use 0). */
  jwksCooldownMs?: number;
  now?: () => number;
}

/**
 * The key resolver for incoming Bot Framework tokens: OpenID metadata from a configurable URL, its
 * `jwks_uri`, and the JWKS cached by jose, fetched again when a token names a `kid` it does not hold
 * (key rotation), at most once per cooldown.
 */
export function openIdKeys(o: OpenIdKeysOptions): JWTVerifyGetKey {
  const doFetch = o.fetch ?? fetch;
  const now = o.now ?? Date.now;
  const ttl = o.metadataTtlMs ?? 24 * 3600_000;
  let cached: { jwksUri: string; keys: JWTVerifyGetKey; until: number } | undefined;

  async function keySet(): Promise<JWTVerifyGetKey> {
    if (cached && cached.until > now()) return cached.keys;
    const jwksUri = await readMetadata(doFetch, o.metadataUrl);
    if (cached?.jwksUri !== jwksUri) {
      const keys = createRemoteJWKSet(new URL(jwksUri), {
        cooldownDuration: o.jwksCooldownMs ?? 30_000,
        [customFetch]: doFetch,
      });
      cached = { jwksUri, keys, until: 0 };
    }
    cached.until = now() + ttl;
    return cached.keys;
  }

  return async (header, token) => (await keySet())(header, token);
}

async function readMetadata(doFetch: typeof fetch, metadataUrl: string): Promise<string> {
  let body: unknown;
  try {
    const res = await doFetch(metadataUrl, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new OpenIdKeysError(`OpenID metadata at ${metadataUrl} answered HTTP ${res.status}`);
    body = await res.json();
  } catch (err) {
    if (err instanceof OpenIdKeysError) throw err;
    throw new OpenIdKeysError(`OpenID metadata at ${metadataUrl} could not be read`, { cause: err });
  }
  const parsed = metadataSchema.safeParse(body);
  if (!parsed.success) throw new OpenIdKeysError(`OpenID metadata at ${metadataUrl} has no usable jwks_uri`);
  return parsed.data.jwks_uri;
}
