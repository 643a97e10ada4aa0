import { X509Certificate } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { decodeProtectedHeader, jwtVerify } from 'jose';

/** How a client-credentials request proved the app's identity. */
export type GrantMethod = 'client_secret' | 'client_assertion' | 'none';

export const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/** A certificate registered on the fake app registration, as Entra ID keeps an uploaded public part. */
export interface RegisteredCertificate {
  thumbprintSha256: string;
  cert: X509Certificate;
}

export function registeredCertificate(pem: string): RegisteredCertificate {
  const cert = new X509Certificate(pem);
  const thumbprintSha256 = Buffer.from(cert.fingerprint256.replace(/:/g, ''), 'hex').toString('base64url');
  return { thumbprintSha256, cert };
}

export interface ClientCheck {
  appId: string;
  password: string;
  /** The token endpoint's own URL: the audience an assertion must name. */
  endpoint: string;
  certificates: readonly RegisteredCertificate[];
}

/**
 * Checks the client authentication of a token request as Entra ID does: the client secret, or a client
 * assertion whose header names a registered certificate by `x5t#S256`, signed by that certificate's key
 * (PS256 or RS256), with aud = the token endpoint, iss = sub = the app id, an unexpired exp at most 15 minutes
 * after nbf, and a jti.
 * Returns the method used and, when refused, why (for the test's assertions).
 */
export async function checkClient(
  form: URLSearchParams,
  c: ClientCheck,
): Promise<{ method: GrantMethod; refusal?: string }> {
  const assertion = form.get('client_assertion');
  if (assertion === null) {
    const secret = form.get('client_secret');
    if (secret === null) return { method: 'none', refusal: 'no client credential' };
    return secret === c.password ? { method: 'client_secret' } : { method: 'client_secret', refusal: 'wrong secret' };
  }
  const refuse = (refusal: string) => ({ method: 'client_assertion' as const, refusal });
  if (form.get('client_secret') !== null) return refuse('both a client secret and an assertion');
  if (form.get('client_assertion_type') !== JWT_BEARER) return refuse('wrong client_assertion_type');
  let thumbprint: unknown;
  try {
    thumbprint = decodeProtectedHeader(assertion)['x5t#S256'];
  } catch {
    return refuse('not a JWT');
  }
  const registered = c.certificates.find((r) => r.thumbprintSha256 === thumbprint);
  if (!registered) return refuse('x5t#S256 names no registered certificate');
  try {
    const { payload } = await jwtVerify(assertion, registered.cert.publicKey, {
      algorithms: ['PS256', 'RS256'],
      audience: c.endpoint,
      issuer: c.appId,
      subject: c.appId,
      requiredClaims: ['exp', 'nbf', 'jti'],
      // A clock skew, as Entra ID allows: MSAL rounds the second of `nbf`, so it can be half a second ahead
      clockTolerance: '1m',
    });
    // Entra ID does not require `iat` (MSAL sends none): an assertion valid for more than 15 minutes is refused instead
    if ((payload.exp ?? 0) - (payload.nbf ?? 0) > 15 * 60) return refuse('assertion valid for more than 15 minutes');
    if (form.get('client_id') !== c.appId || typeof payload.jti !== 'string') return refuse('client_id or jti');
  } catch (err) {
    return refuse(`assertion refused: ${err instanceof Error ? err.message : String(err)}`);
  }
  return { method: 'client_assertion' };
}

/** A token request's form body. */
export function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (data += c));
    req.on('end', () => resolve(new URLSearchParams(data)));
    req.on('error', reject);
  });
}
