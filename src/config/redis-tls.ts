import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { inspect } from 'node:util';
import { z } from 'zod';
import { errorCode } from '../core/error-fields.js';

const filePath = z.string().min(1, 'expected the path of a PEM file');

/**
 * `redis.tls` of an environment: the files are paths (relative to the config file), read once at start-up.
 *
 * @example
 * tls: { caFile: /etc/redis-tls/ca.crt, certFile: /etc/redis-tls/client.crt, keyFile: /etc/redis-tls/client.key }
 */
export const redisTlsSchema = z
  .object({
    /** The CA that signed the server's certificate (a private CA); unset, the system's CAs are trusted. */
    caFile: filePath.optional(),
    /** Client certificate for mutual TLS (`tls-auth-clients yes`), with `keyFile`. */
    certFile: filePath.optional(),
    keyFile: filePath.optional(),
    /** The name the server's certificate must carry (and SNI), when it differs from the URL's host. */
    servername: z.string().min(1).optional(),
    /** false accepts any server certificate: the connection is encrypted but not authenticated. */
    rejectUnauthorized: z.boolean().default(true),
  })
  .strict()
  .superRefine((t, ctx) => {
    if ((t.certFile === undefined) === (t.keyFile === undefined)) return;
    const [missing, present] = t.certFile === undefined ? ['certFile', 'keyFile'] : ['keyFile', 'certFile'];
    ctx.addIssue({
      code: 'custom',
      path: [missing],
      message: `missing: ${present} is set, and a client certificate needs both certFile and keyFile`,
    });
  });

export type RawRedisTls = z.infer<typeof redisTlsSchema>;

/**
 * PEM contents read from the TLS files. The private key stays out of JSON, `util.inspect` and log
 * output (`toJSON` and the inspect hook name the files only), so a logged config never carries it.
 */
export class TlsMaterial {
  readonly #key: Buffer | undefined;

  constructor(
    readonly files: { caFile?: string; certFile?: string; keyFile?: string },
    readonly ca: Buffer | undefined,
    readonly cert: Buffer | undefined,
    key: Buffer | undefined,
  ) {
    this.#key = key;
  }

  /** The client's private key (mutual TLS), for the connection options only. */
  key(): Buffer | undefined {
    return this.#key;
  }

  toJSON(): { caFile?: string; certFile?: string; keyFile?: string } {
    return this.files;
  }

  [inspect.custom](): string {
    return `TlsMaterial ${JSON.stringify(this.files)}`;
  }
}

/**
 * `redis.tls` after start-up: the settings, the files as absolute paths, and what they hold (`material`,
 * set by `parseConfig`; an environment built without it has its files read when a connection opens).
 */
export interface RedisTlsConfig extends RawRedisTls {
  material?: TlsMaterial;
}

const READ_REASONS: Record<string, string> = {
  ENOENT: 'file not found',
  EACCES: 'permission denied',
  EISDIR: 'it is a directory',
};

/** The PEM block a file must hold, by field. */
const PEM_KINDS = {
  caFile: { marker: /-----BEGIN CERTIFICATE-----/, what: 'a PEM certificate (-----BEGIN CERTIFICATE-----)' },
  certFile: { marker: /-----BEGIN CERTIFICATE-----/, what: 'a PEM certificate (-----BEGIN CERTIFICATE-----)' },
  keyFile: { marker: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: 'a PEM private key (-----BEGIN PRIVATE KEY-----)' },
} as const;

export type TlsFileField = keyof typeof PEM_KINDS;

/**
 * Reads the TLS files once, at start-up. Each problem names the setting and the file, never its contents:
 * a missing or unreadable file, a file that is not the PEM it should be, a key that does not match the
 * certificate. `label` turns a field into what the person wrote (`environments.prod.redis.tls.caFile`).
 */
export function readTlsMaterial(
  files: { caFile?: string; certFile?: string; keyFile?: string },
  label: (field: TlsFileField) => string,
  read: (path: string) => Buffer = (p) => readFileSync(p),
): { material: TlsMaterial; problems: [] } | { problems: string[] } {
  const problems: string[] = [];
  const load = (field: TlsFileField): Buffer | undefined => {
    const path = files[field];
    if (path === undefined) return undefined;
    let pem: Buffer;
    try {
      pem = read(path);
    } catch (err) {
      const code = errorCode(err) ?? 'error';
      problems.push(`${label(field)}: cannot read ${path}: ${READ_REASONS[code] ?? code} (${code})`);
      return undefined;
    }
    if (!PEM_KINDS[field].marker.test(pem.toString('latin1'))) {
      problems.push(`${label(field)}: ${path} does not hold ${PEM_KINDS[field].what}`);
      return undefined;
    }
    return pem;
  };
  const ca = load('caFile');
  const cert = load('certFile');
  const key = load('keyFile');
  if (problems.length) return { problems };
  try {
    // Parses the certificates and checks that the key belongs to the certificate; OpenSSL's reason names no secret.
    createSecureContext({ ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });
  } catch (err) {
    const reason = err instanceof Error ? (err.message.split('\n')[0] ?? '') : String(err);
    const which = cert && key ? `${label('certFile')} / ${label('keyFile')}` : label(ca ? 'caFile' : 'certFile');
    return { problems: [`${which}: the TLS files cannot be used: ${reason}`] };
  }
  return { material: new TlsMaterial(files, ca, cert, key), problems: [] };
}

/**
 * `redis.tls` of environment `envName` with its files resolved (`resolvePath`: relative to the config file)
 * and read; or the problems, each naming the setting and the file.
 */
export function resolveRedisTls(
  raw: RawRedisTls,
  envName: string,
  resolvePath: (p: string) => string,
): { tls: RedisTlsConfig } | { problems: string[] } {
  const files = {
    ...(raw.caFile !== undefined ? { caFile: resolvePath(raw.caFile) } : {}),
    ...(raw.certFile !== undefined ? { certFile: resolvePath(raw.certFile) } : {}),
    ...(raw.keyFile !== undefined ? { keyFile: resolvePath(raw.keyFile) } : {}),
  };
  const read = readTlsMaterial(files, (field) => `environments.${envName}.redis.tls.${field}`);
  if (!('material' in read)) return { problems: read.problems };
  return { tls: { ...raw, ...files, material: read.material } };
}
