import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * Paths whose values are secrets wherever they appear in a log object. pino's `*` matches one level,
 * so each secret name is listed at the top level and one and two levels down (`err.config.headers`).
 */
const SECRET_KEYS = [
  'token',
  'botToken',
  'appToken',
  'password',
  'signingSecret',
  'secret',
  'authorization',
  'Authorization',
  'response_url',
  'responseUrl',
  'cookie',
  'x-slack-signature',
];

const key = (k: string) => (/^[A-Za-z_$][\w$]*$/.test(k) ? `.${k}` : `["${k}"]`);

/** Redacted paths: each secret name at the top level and up to three levels down (`err.config.headers.authorization`). */
export const REDACT_PATHS: string[] = SECRET_KEYS.flatMap((k) =>
  ['', '*', '*.*', '*.*.*'].map((prefix) => `${prefix}${key(k)}`.replace(/^\./, '')),
);

/**
 * Token-shaped text inside free-form strings (an error message quoting a header, a URL). Redaction by
 * path cannot see these, so messages and string fields are scrubbed too.
 */
const SECRET_PATTERNS: RegExp[] = [
  /xox[abposre]-[A-Za-z0-9-]+/g,
  /xapp-[A-Za-z0-9-]+/g,
  /https:\/\/hooks\.slack\.com\/[^\s"'<>]+/g,
  /v0=[0-9a-f]{64}/g,
  // The password of a URL's userinfo (`redis://user:<password>@host`); it may hold `/`, `:`, `?`.
  /(?<=rediss?:\/\/[^:/@\s]*:)[^@\s]+(?=@)/g,
  // key=value (query strings, connection strings) and "key":"value" (JSON quoted in a message).
  /(?<=(?:^|[?&;\s,(])(?:password|passwd|pwd|token|secret|api[_-]?key|access[_-]?token|refresh[_-]?token|client[_-]?secret)=)[^\s&;,"')]+/gi,
  /(?<="(?:password|passwd|token|secret|api[_-]?key|access[_-]?token|client[_-]?secret)"\s*:\s*")[^"]+/gi,
];

/**
 * A credential after `Bearer` or `Basic` (RFC 6750 b64token). The scheme name also appears in prose
 * ("no bearer token", "the Bearer authentication scheme"), so a lower-case word of letters only is
 * text unless it is 16 characters or longer; anything else of 8 characters or more is a credential,
 * letters-only tokens included. Shorter values stay: real tokens are longer.
 */
const AUTH_SCHEME = /(?<=\b(?:Bearer|Basic)\s+)[A-Za-z0-9\-._~+/]+=*/gi;

function isCredential(value: string): boolean {
  if (value.length < 8) return false;
  return !/^[a-z]+$/.test(value) || value.length >= 16;
}

/** Replaces secret values in free text with `[Redacted]`; the words around them stay. */
export function scrubSecrets(text: string): string {
  let out = text.replace(AUTH_SCHEME, (m) => (isCredential(m) ? '[Redacted]' : m));
  for (const re of SECRET_PATTERNS) out = out.replace(re, '[Redacted]');
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scrubDeep(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return scrubSecrets(value);
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, depth - 1));
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, depth - 1);
  return out;
}

export interface CreateLoggerOptions {
  level?: LogLevel;
  /** Where JSON lines go; stdout when absent. Tests pass a stream to assert on the output. */
  destination?: DestinationStream;
  /** Fixed fields on every line (e.g. `{ service: 'session-ttl-bot' }`). */
  base?: Record<string, unknown>;
}

/**
 * The bot's logger: pino JSON lines with secrets redacted by path (`token`, `*.password`,
 * `headers.authorization`, `response_url`, `x-slack-signature`, ...) and token-shaped text scrubbed
 * from messages and string fields.
 *
 * @example
 * const logger = createLogger({ level: 'info' });
 * const log = logger.child({ req: 'a1b2', user: 'U1', channel: 'C1', env: 'dev' });
 * log.info({ durationMs: 812 }, 'diagnosis posted');
 */
export function createLogger(opts: CreateLoggerOptions = {}): Logger {
  const options: LoggerOptions = {
    level: opts.level ?? 'info',
    base: opts.base ?? { service: 'session-ttl-bot' },
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    formatters: {
      log: (obj) => {
        const scrubbed = scrubDeep(obj, 4);
        return isRecord(scrubbed) ? scrubbed : obj;
      },
    },
    hooks: {
      logMethod(args, method) {
        // pino hands the hook an array of its own: scrubbed in place, it keeps its tuple type.
        args.forEach((a: unknown, i) => {
          if (typeof a === 'string') args[i] = scrubSecrets(a);
        });
        return method.apply(this, args);
      },
    },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}

/** A short id that ties the log lines of one request together. */
export function requestId(): string {
  return Math.random().toString(36).slice(2, 10);
}
