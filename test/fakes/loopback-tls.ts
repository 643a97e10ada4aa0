import { readFileSync, rmSync } from 'node:fs';
import { Agent } from 'undici';
import { makeTlsCerts } from '../support/tls-certs.js';

/** A private CA made for this test process, and a server certificate it signed for 127.0.0.1 and localhost. */
export interface LoopbackTls {
  /** The CA's PEM file (for a child process: NODE_EXTRA_CA_CERTS). */
  caFile: string;
  cert: Buffer;
  key: Buffer;
  /** `fetch` that trusts the CA besides the usual roots (an undici Agent with `connect.ca`). */
  fetch: typeof fetch;
}

let made: LoopbackTls | undefined;

/**
 * The loopback TLS of the fakes that must be https (MSAL takes only https authorities: the fake login
 * endpoint), made once per test process; the files are removed when the process exits.
 */
export function loopbackTls(): LoopbackTls {
  if (made) return made;
  const certs = makeTlsCerts();
  process.once('exit', () => rmSync(certs.dir, { recursive: true, force: true }));
  const ca = readFileSync(certs.caFile);
  // undici 7's Agent works as Node 20's fetch dispatcher; only its types differ from Node's bundled undici-types
  const dispatcher = new Agent({ connect: { ca } }) as unknown as RequestInit['dispatcher'];
  made = {
    caFile: certs.caFile,
    cert: readFileSync(certs.serverCert),
    key: readFileSync(certs.serverKey),
    fetch: (input, init) => fetch(input, { ...init, dispatcher }),
  };
  return made;
}
