import { errorCode, errorMessage } from '../../core/error-fields.js';

/** What the person set the TLS files with: `redis.tls` fields, or the state store's env vars. */
export interface TlsSettingNames {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** The fields of `redis.tls`, as the diagnosis' messages name them. */
export const REDIS_TLS_NAMES: TlsSettingNames = { caFile: 'caFile', certFile: 'certFile', keyFile: 'keyFile' };

/** What each certificate or handshake error means, for the person who set up TLS (`caFile` etc. renamed per use). */
const TLS_REASONS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    "the server's certificate is not signed by the CA in caFile (or, without caFile, by a CA the system trusts)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    "the server's certificate is not signed by the CA in caFile (or, without caFile, by a CA the system trusts)",
  UNABLE_TO_GET_ISSUER_CERT: "the issuer of the server's certificate is not in caFile",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate is not signed by the CA in caFile: its chain ends in another CA",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed, not signed by the CA in caFile",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet (check the clocks of the bot and the server)",
  CERT_REVOKED: "the server's certificate has been revoked",
  CERT_SIGNATURE_FAILURE: "the signature of the server's certificate does not verify",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate is not for the host the bot connects to",
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED:
    'the server requires a client certificate (mutual TLS): set certFile and keyFile',
  ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE:
    'the server refused the handshake (it may require a client certificate: set certFile and keyFile)',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA:
    "the server does not trust the CA that signed the bot's client certificate (certFile)",
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: "the server refused the bot's client certificate (certFile)",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: "the server says the bot's client certificate (certFile) has expired",
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: "the server refused the bot's client certificate (certFile)",
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server does not speak TLS on this port: use a redis:// URL or the TLS port',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'the server does not speak TLS on this port: use a redis:// URL or the TLS port',
};

/** A TLS failure: the code Node or OpenSSL gave and what it means. */
export interface TlsFailure {
  code: string;
  reason: string;
}

/**
 * The certificate or handshake problem behind an error, or undefined when it is not a TLS error. Node
 * names certificate problems with OpenSSL's verify codes and handshake alerts with `ERR_SSL_*`.
 *
 * @example
 * tlsFailure(Object.assign(new Error('unable to verify the first certificate'), { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE' }))
 * // { code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', reason: "the server's certificate is not signed by the CA in caFile ..." }
 */
export function tlsFailure(err: unknown, names: TlsSettingNames = REDIS_TLS_NAMES): TlsFailure | undefined {
  const code = errorCode(err);
  if (code === undefined) return undefined;
  const known = TLS_REASONS[code]?.replace(/\b(caFile|certFile|keyFile)\b/g, (field) =>
    field === 'caFile' ? names.caFile : field === 'certFile' ? names.certFile : names.keyFile,
  );
  if (known) {
    // Node's own text names the host and the names in the certificate: worth keeping for a mismatch.
    const detail = code === 'ERR_TLS_CERT_ALTNAME_INVALID' ? `: ${errorMessage(err) ?? ''}` : '';
    return { code, reason: `${known}${detail}` };
  }
  if (/^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_)/.test(code)) {
    return { code, reason: `the TLS handshake failed: ${errorMessage(err) ?? code}` };
  }
  return undefined;
}
