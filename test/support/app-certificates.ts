import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** An app registration certificate made with openssl: the files the bot reads and the part Entra ID keeps. */
export interface AppCertificateFiles {
  /** TEAMS_APP_CERTIFICATE_FILE: the certificate and its private key in one PEM file. */
  pemFile: string;
  /** The certificate alone (the public part uploaded to the app registration). */
  certPem: string;
  keyPem: string;
}

export interface AppCertificates {
  dir: string;
  /** The certificate registered on the app. */
  app: AppCertificateFiles;
  /** Another certificate, never registered: signing with it is the "wrong certificate" case. */
  other: AppCertificateFiles;
  remove(): void;
}

function make(dir: string, name: string): AppCertificateFiles {
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
    ].concat(['-subj', `/CN=${name}`]),
    { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const certPem = readFileSync(join(dir, `${name}.crt`), 'utf8');
  const keyPem = readFileSync(join(dir, `${name}.key`), 'utf8');
  const pemFile = join(dir, `${name}.pem`);
  writeFileSync(pemFile, certPem + keyPem);
  return { pemFile, certPem, keyPem };
}

/** Two self-signed RSA certificates with their keys, in a temporary directory. */
export function makeAppCertificates(): AppCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'teams-app-cert-'));
  return {
    dir,
    app: make(dir, 'app'),
    other: make(dir, 'other'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
