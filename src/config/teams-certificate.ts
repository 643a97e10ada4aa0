import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';

/** The variable naming the PEM file with the app registration's certificate and its private key. */
export const TEAMS_APP_CERTIFICATE_FILE = 'TEAMS_APP_CERTIFICATE_FILE';

const CERT_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;
const KEY_PEM = /-----BEGIN ((?:RSA |ENCRYPTED )?)PRIVATE KEY-----[\s\S]+?-----END \1PRIVATE KEY-----/;

/**
 * The bot's certificate credential (Entra ID "certificate credentials"), read once at start-up: the public
 * certificate's SHA-256 thumbprint names it in the client assertion's header, the private key signs the
 * assertion. The key stays out of JSON, `util.inspect` and log output (they show the file and thumbprint).
 */
export class AppCertificate {
  readonly #key: KeyObject;

  constructor(
    readonly file: string,
    /** Base64url SHA-256 thumbprint of the certificate's DER encoding (`x5t#S256`). */
    readonly thumbprintSha256: string,
    /** When the certificate stops being valid: Entra ID refuses an assertion signed for an expired one. */
    readonly validTo: Date,
    key: KeyObject,
    /** The public certificate (PEM), sent as the assertion's `x5c`. */
    readonly certificatePem: string,
  ) {
    this.#key = key;
  }

  /** The RSA private key, for signing client assertions only. */
  privateKey(): KeyObject {
    return this.#key;
  }

  /** The same key as PKCS#8 PEM, the form MSAL takes (`clientCertificate.privateKey`). */
  privateKeyPem(): string {
    return this.#key.export({ type: 'pkcs8', format: 'pem' }).toString();
  }

  toJSON(): { file: string; thumbprintSha256: string } {
    return { file: this.file, thumbprintSha256: this.thumbprintSha256 };
  }

  [inspect.custom](): string {
    return `AppCertificate { file: ${JSON.stringify(this.file)}, thumbprintSha256: '${this.thumbprintSha256}' }`;
  }
}

const why = (err: unknown): string => (err instanceof Error && 'code' in err ? String(err.code) : 'unreadable');

/**
 * Reads TEAMS_APP_CERTIFICATE_FILE: one PEM file holding the certificate and its unencrypted RSA private key
 * (`cat bot.crt bot.key > bot.pem`). Every problem names the variable and the file and says what is wrong,
 * never the file's contents.
 */
export function readAppCertificate(
  file: string,
  now: Date = new Date(),
): { certificate?: AppCertificate; problem?: string } {
  const fail = (what: string) => ({ problem: `${TEAMS_APP_CERTIFICATE_FILE} (${file}): ${what}` });
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    return fail(`cannot be read (${why(err)})`);
  }
  const certPem = CERT_PEM.exec(pem)?.[0];
  const keyPem = KEY_PEM.exec(pem);
  if (!certPem) return fail('holds no PEM certificate (-----BEGIN CERTIFICATE-----)');
  if (!keyPem) return fail('holds no PEM private key (-----BEGIN PRIVATE KEY-----) after the certificate');
  if (keyPem[1] === 'ENCRYPTED ') return fail('the private key is encrypted: give it without a passphrase');
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    return fail('the certificate cannot be parsed');
  }
  try {
    key = createPrivateKey(keyPem[0]);
  } catch {
    return fail('the private key cannot be parsed');
  }
  if (key.asymmetricKeyType !== 'rsa') return fail(`the key is ${key.asymmetricKeyType}: Entra ID needs an RSA key`);
  if ((key.asymmetricKeyDetails?.modulusLength ?? 0) < 2048) return fail('the RSA key is shorter than 2048 bits');
  if (!cert.checkPrivateKey(key)) return fail('the private key is not the key of the certificate');
  const validTo = new Date(cert.validTo);
  if (validTo.getTime() <= now.getTime()) return fail(`the certificate expired on ${validTo.toISOString()}`);
  const thumbprint = Buffer.from(cert.fingerprint256.replace(/:/g, ''), 'hex').toString('base64url');
  return { certificate: new AppCertificate(file, thumbprint, validTo, key, certPem) };
}
