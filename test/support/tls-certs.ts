import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startRedisServer, type RedisServerHandle } from './redis-server.js';

/** PEM files made for one test file: a private CA, certificates it signed, and a CA that signed none of them. */
export interface TlsCerts {
  dir: string;
  caFile: string;
  /** The server's certificate, for localhost and 127.0.0.1. */
  serverCert: string;
  serverKey: string;
  /** A client certificate signed by the CA (mutual TLS). */
  clientCert: string;
  clientKey: string;
  /** Another CA: trusting it instead of `caFile` is the "wrong CA" case. */
  otherCaFile: string;
  /** A client certificate signed by the other CA (a server with `caFile` refuses it). */
  strangerCert: string;
  strangerKey: string;
  /** A server certificate signed by the CA for another host name only (a hostname mismatch on 127.0.0.1). */
  elsewhereCert: string;
  elsewhereKey: string;
  /** A server certificate signed by the CA that expired on 2020-01-02. */
  expiredCert: string;
  expiredKey: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A self-signed CA (P-256: quick to make on a loaded machine). */
function makeCa(dir: string, name: string): void {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  openssl(dir, [
    'req',
    '-x509',
    '-new',
    '-key',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    `/CN=${name}`,
  ]);
}

/** A key and a certificate signed by `ca`, with the given extensions (subjectAltName, extendedKeyUsage). */
function makeLeaf(dir: string, name: string, ca: string, ext: string): void {
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`]);
  openssl(dir, ['req', '-new', '-key', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`]);
  writeFileSync(join(dir, `${name}.ext`), ext);
  openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-CAcreateserial',
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
  ]);
}

/** A server certificate valid only in January 2020 (`openssl ca` takes explicit dates; `x509 -req` does not). */
function makeExpired(dir: string): void {
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '1000\n');
  const conf = [
    '[ca]',
    'default_ca = own',
    '[own]',
    'dir = .',
    'database = index.txt',
    'serial = serial',
    'new_certs_dir = .',
    'default_md = sha256',
    'policy = any',
    '[any]',
    'commonName = supplied',
    '[ext]',
    'subjectAltName = DNS:localhost,IP:127.0.0.1',
    'extendedKeyUsage = serverAuth',
  ];
  writeFileSync(join(dir, 'ca.cnf'), `${conf.join('\n')}\n`);
  openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'expired.key']);
  openssl(dir, ['req', '-new', '-key', 'expired.key', '-out', 'expired.csr', '-subj', '/CN=expired']);
  const dates = ['-startdate', '20200101000000Z', '-enddate', '20200102000000Z'];
  const signer = ['-config', 'ca.cnf', '-cert', 'ca.crt', '-keyfile', 'ca.key', '-extensions', 'ext', '-notext'];
  openssl(dir, ['ca', '-batch', ...signer, ...dates, '-in', 'expired.csr', '-out', 'expired.crt']);
}

/**
 * Makes the certificates with `openssl` in a fresh temporary directory.
 *
 * @example
 * const certs = makeTlsCerts();
 * const redis = await startTlsRedis(certs);
 * // config: redis: { url: redis.url, tls: { caFile: certs.caFile } }
 */
export function makeTlsCerts(): TlsCerts {
  const dir = mkdtempSync(join(tmpdir(), 'session-ttl-tls-'));
  makeCa(dir, 'ca');
  makeCa(dir, 'other-ca');
  // Also a client certificate: Redis Cluster nodes present it to each other on the bus (tls-cluster yes).
  makeLeaf(dir, 'server', 'ca', 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth\n');
  makeLeaf(dir, 'client', 'ca', 'extendedKeyUsage=clientAuth\n');
  makeLeaf(dir, 'stranger', 'other-ca', 'extendedKeyUsage=clientAuth\n');
  makeLeaf(dir, 'elsewhere', 'ca', 'subjectAltName=DNS:redis.elsewhere.example\nextendedKeyUsage=serverAuth\n');
  makeExpired(dir);
  const f = (name: string) => join(dir, name);
  return {
    dir,
    caFile: f('ca.crt'),
    serverCert: f('server.crt'),
    serverKey: f('server.key'),
    clientCert: f('client.crt'),
    clientKey: f('client.key'),
    otherCaFile: f('other-ca.crt'),
    strangerCert: f('stranger.crt'),
    strangerKey: f('stranger.key'),
    elsewhereCert: f('elsewhere.crt'),
    elsewhereKey: f('elsewhere.key'),
    expiredCert: f('expired.crt'),
    expiredKey: f('expired.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A redis-server that speaks TLS only, on `url` (rediss://127.0.0.1:<port>). */
export interface TlsRedisHandle extends RedisServerHandle {
  /** rediss://127.0.0.1:<tls port> */
  url: string;
}

/**
 * Starts `redis-server --port 0 --tls-port <free>` with the CA's server certificate (or `cert`/`key`);
 * `mutual` asks every client for a certificate signed by the CA (`--tls-auth-clients yes`).
 */
export async function startTlsRedis(
  certs: TlsCerts,
  opts: { mutual?: boolean; cert?: string; key?: string; extraArgs?: string[] } = {},
): Promise<TlsRedisHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchTls(certs, opts, await freePort());
    } catch (err) {
      // The TLS port was free when chosen but taken before redis-server bound it: another one.
      if (attempt >= 5 || !(err instanceof Error) || !/Address already in use/.test(err.message)) throw err;
    }
  }
}

async function launchTls(
  certs: TlsCerts,
  opts: { mutual?: boolean; cert?: string; key?: string; extraArgs?: string[] },
  tlsPort: number,
): Promise<TlsRedisHandle> {
  const server = await startRedisServer([
    '--port',
    '0',
    '--tls-port',
    String(tlsPort),
    '--tls-cert-file',
    opts.cert ?? certs.serverCert,
    '--tls-key-file',
    opts.key ?? certs.serverKey,
    '--tls-ca-cert-file',
    certs.caFile,
    '--tls-auth-clients',
    opts.mutual ? 'yes' : 'no',
    ...(opts.extraArgs ?? []),
  ]);
  return { ...server, port: tlsPort, url: `rediss://127.0.0.1:${tlsPort}` };
}
