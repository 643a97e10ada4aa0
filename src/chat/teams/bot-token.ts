import { decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { OpenIdKeysError } from './openid-keys.js';

/**
 * Why an incoming token was refused. `keys_unavailable` is ours, not the caller's: the signing keys could
 * not be fetched, so nothing could be verified (answered 503, the channel retries).
 */
export type BotTokenRefusal =
  | 'missing'
  | 'malformed'
  | 'unsigned'
  | 'algorithm_not_allowed'
  | 'unknown_key'
  | 'bad_signature'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_service_url'
  | 'wrong_tenant'
  | 'keys_unavailable';

/** An incoming request the bot does not trust, and why (logged, and returned to the caller). */
export class BotTokenError extends Error {
  override name = 'BotTokenError';
  constructor(
    readonly reason: BotTokenRefusal,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface BotTokenOptions {
  /** TEAMS_APP_ID: the only audience accepted. */
  appId: string;
  /** TEAMS_TOKEN_ISSUER, e.g. https://api.botframework.com */
  issuer: string;
  /** TEAMS_TENANT_ID: activities from another tenant are refused. */
  tenantId: string;
  /** The signing keys (`openIdKeys`, from the configurable OpenID metadata). */
  keys: JWTVerifyGetKey;
  now?: () => number;
  /** Allowed clock skew for `exp` and `nbf` (default 5 min, as the Bot Framework's own validators). */
  clockToleranceSec?: number;
}

/** What a verified token and activity establish: who sent it (the channel), for which service URL and tenant. */
export interface VerifiedActivity {
  claims: JWTPayload;
  serviceUrl: string;
  tenantId: string;
}

/** A token whose signature and claims verified; its activity is bound to it by `bindActivity`. */
export interface VerifiedToken {
  claims: JWTPayload;
}

/**
 * Verifies `POST /api/messages` as the Bot Framework's channel authentication asks. `verifyToken`: the
 * `Authorization: Bearer <jwt>` is RS256-signed by a key of the metadata's JWKS, with the issuer, audience =
 * app id and an unexpired `exp`. `bindActivity`: the token's `serviceurl` claim is the activity's serviceUrl
 * (replies carry our outgoing token there) and the activity's tenant is the bot's. There is no switch that
 * skips any of it.
 */
export function botTokenVerifier(o: BotTokenOptions) {
  const now = o.now ?? Date.now;
  return {
    async verifyToken(authorization: string | undefined): Promise<VerifiedToken> {
      return { claims: await verifySignedClaims(bearer(authorization), o, now()) };
    },
    bindActivity(
      token: VerifiedToken,
      activity: { serviceUrl: string; tenantId: string | undefined },
    ): VerifiedActivity {
      const claimed = token.claims.serviceurl;
      if (typeof claimed !== 'string' || !sameServiceUrl(claimed, activity.serviceUrl))
        throw new BotTokenError('wrong_service_url', "the token's serviceurl claim is not the activity's serviceUrl");
      if (activity.tenantId === undefined || activity.tenantId.toLowerCase() !== o.tenantId.toLowerCase())
        throw new BotTokenError('wrong_tenant', 'the activity comes from another tenant than TEAMS_TENANT_ID');
      return { claims: token.claims, serviceUrl: activity.serviceUrl, tenantId: activity.tenantId };
    },
  };
}

export type BotTokenVerifier = ReturnType<typeof botTokenVerifier>;

function bearer(authorization: string | undefined): string {
  const match = /^Bearer ([A-Za-z0-9_\-.=]+)$/i.exec(authorization?.trim() ?? '');
  if (!match?.[1]) throw new BotTokenError('missing', 'no Bearer token in the Authorization header');
  return match[1];
}

async function verifySignedClaims(token: string, o: BotTokenOptions, nowMs: number): Promise<JWTPayload> {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch (err) {
    throw new BotTokenError('malformed', 'the token is not a JWT', { cause: err });
  }
  if (typeof alg !== 'string' || alg.toLowerCase() === 'none')
    throw new BotTokenError('unsigned', 'the token is not signed (alg none)');
  try {
    const { payload } = await jwtVerify(token, o.keys, {
      algorithms: ['RS256'],
      issuer: o.issuer,
      audience: o.appId,
      requiredClaims: ['exp'],
      currentDate: new Date(nowMs),
      clockTolerance: o.clockToleranceSec ?? 300,
    });
    return payload;
  } catch (err) {
    throw refusal(err);
  }
}

/** jose's error as our refusal; anything unexpected (the keys could not be fetched) is `keys_unavailable`. */
function refusal(err: unknown): BotTokenError {
  const as = (reason: BotTokenRefusal, message: string) => new BotTokenError(reason, message, { cause: err });
  if (err instanceof errors.JWTExpired) return as('expired', 'the token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return as('wrong_issuer', 'the token was not issued by TEAMS_TOKEN_ISSUER');
    if (err.claim === 'aud')
      return as('wrong_audience', 'the token is not for this bot (audience is not TEAMS_APP_ID)');
    if (err.claim === 'nbf') return as('not_yet_valid', 'the token is not valid yet');
    return as('malformed', `the token's ${err.claim} claim is invalid`);
  }
  if (err instanceof errors.JOSEAlgNotAllowed) return as('algorithm_not_allowed', 'the token is not signed with RS256');
  if (err instanceof errors.JWKSNoMatchingKey) return as('unknown_key', 'the token is signed by a key not in the JWKS');
  if (err instanceof errors.JWSSignatureVerificationFailed) return as('bad_signature', 'the signature does not verify');
  if (err instanceof errors.JWSInvalid || err instanceof errors.JWTInvalid)
    return as('malformed', 'the token is malformed');
  if (err instanceof OpenIdKeysError) return as('keys_unavailable', err.message);
  return as('keys_unavailable', 'the signing keys could not be read');
}

function sameServiceUrl(a: string, b: string): boolean {
  const norm = (u: string) => u.replace(/\/+$/, '').toLowerCase();
  return norm(a) === norm(b);
}
