import { UserError } from '../core/errors.js';
import { readTlsMaterial, type TlsMaterial } from './redis-tls.js';

/** TLS of the state Redis (STATE_REDIS_URL), from the STATE_REDIS_TLS_* env vars, files read at start-up. */
export interface StateRedisTls {
  material: TlsMaterial;
  /** STATE_REDIS_TLS_SERVERNAME: the name the server's certificate carries, when not the URL's host. */
  servername?: string;
}

/** The env vars, by the field of `redis.tls` each stands for. */
export const STATE_REDIS_TLS_VARS = {
  caFile: 'STATE_REDIS_TLS_CA_FILE',
  certFile: 'STATE_REDIS_TLS_CERT_FILE',
  keyFile: 'STATE_REDIS_TLS_KEY_FILE',
} as const;

const SERVERNAME = 'STATE_REDIS_TLS_SERVERNAME';

const set = (env: NodeJS.ProcessEnv, name: string): string | undefined => env[name]?.trim() || undefined;

/**
 * Reads STATE_REDIS_TLS_CA_FILE, _CERT_FILE, _KEY_FILE and _SERVERNAME. None set: no TLS settings (a
 * rediss:// URL still connects with TLS and the system's CAs). Every problem names its variable and file,
 * never a file's contents.
 *
 * @example
 * stateRedisTls({ STATE_REDIS_URL: 'rediss://state:6380', STATE_REDIS_TLS_CA_FILE: '/etc/state-tls/ca.crt' })
 * // { tls: { material: TlsMaterial { caFile: '/etc/state-tls/ca.crt' } }, problems: [] }
 */
export function stateRedisTls(env: NodeJS.ProcessEnv): { tls?: StateRedisTls; problems: string[] } {
  const caFile = set(env, STATE_REDIS_TLS_VARS.caFile);
  const certFile = set(env, STATE_REDIS_TLS_VARS.certFile);
  const keyFile = set(env, STATE_REDIS_TLS_VARS.keyFile);
  const files = { ...(caFile ? { caFile } : {}), ...(certFile ? { certFile } : {}), ...(keyFile ? { keyFile } : {}) };
  const servername = set(env, SERVERNAME);
  const named = [...Object.values(STATE_REDIS_TLS_VARS), SERVERNAME].filter((name) => set(env, name));
  if (!named.length) return { problems: [] };
  const url = set(env, 'STATE_REDIS_URL');
  if (!url) return { problems: [`${named.join(', ')} set but STATE_REDIS_URL is not: set it to a rediss:// URL`] };
  if (!url.startsWith('rediss://'))
    return { problems: [`${named.join(', ')} set: write STATE_REDIS_URL as rediss://host:port (TLS)`] };
  if ((certFile === undefined) !== (keyFile === undefined)) {
    return {
      problems: [
        `${STATE_REDIS_TLS_VARS.certFile} and ${STATE_REDIS_TLS_VARS.keyFile} go together (mutual TLS): set both`,
      ],
    };
  }
  const read = readTlsMaterial(files, (field) => STATE_REDIS_TLS_VARS[field]);
  if (!('material' in read)) return { problems: read.problems };
  return { tls: { material: read.material, ...(servername ? { servername } : {}) }, problems: [] };
}

/** `stateRedisTls` for the CLI commands that read the state Redis: a problem is a UserError. */
export function stateRedisTlsOrThrow(env: NodeJS.ProcessEnv): StateRedisTls | undefined {
  const r = stateRedisTls(env);
  if (r.problems.length) throw new UserError(r.problems.join('; '), 'state_redis_config');
  return r.tls;
}
