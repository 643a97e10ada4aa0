import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import type { AppCertificate } from '../../config/teams-certificate.js';

/** The `client_assertion_type` of a signed JWT instead of a client secret (RFC 7523). */
export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** How long an assertion is valid: it is made for one token request, so minutes are plenty. */
const LIFETIME_SECONDS = 600;

/**
 * The client assertion of Entra ID's certificate credentials (learn.microsoft.com, "Microsoft identity
 * platform application authentication certificate credentials"): a JWT signed PS256 with the certificate's
 * private key, naming the certificate by its SHA-256 thumbprint (`x5t#S256`); aud = the token endpoint,
 * iss = sub = the app id, a random jti, valid for ten minutes.
 */
export async function clientAssertion(o: {
  certificate: AppCertificate;
  appId: string;
  /** The token endpoint the assertion is sent to. */
  endpoint: string;
  now: () => number;
}): Promise<string> {
  const nowSec = Math.floor(o.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'PS256', typ: 'JWT', 'x5t#S256': o.certificate.thumbprintSha256 })
    .setAudience(o.endpoint)
    .setIssuer(o.appId)
    .setSubject(o.appId)
    .setJti(randomUUID())
    .setIssuedAt(nowSec)
    .setNotBefore(nowSec)
    .setExpirationTime(nowSec + LIFETIME_SECONDS)
    .sign(o.certificate.privateKey());
}
