import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBotSettings } from '../../src/config/bot-settings.js';
import { readAppCertificate } from '../../src/config/teams-certificate.js';
import { parseTeamsSettings } from '../../src/config/teams-settings.js';
import { makeAppCertificates, type AppCertificates } from '../support/app-certificates.js';
import { runMainToExit } from '../support/bot-process.js';

const APP = '11111111-2222-4333-8444-555555555555';
const TENANT = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
const TEAMS = { TEAMS_APP_ID: APP, TEAMS_TENANT_ID: TENANT };
const KEY_LINE = (pem: string) => pem.split('\n')[1]!;

describe('Teams certificate credential (TEAMS_APP_CERTIFICATE_FILE)', () => {
  let certs: AppCertificates;
  const file = (name: string, content: string) => {
    const path = join(certs.dir, name);
    writeFileSync(path, content);
    return path;
  };
  const problems = (certificateFile: string) =>
    parseTeamsSettings({ ...TEAMS, TEAMS_APP_CERTIFICATE_FILE: certificateFile }).problems;

  beforeAll(() => {
    certs = makeAppCertificates();
  });
  afterAll(() => certs?.remove());

  it('reads the certificate and its key from one PEM file, with its SHA-256 thumbprint, and no password', () => {
    const r = parseTeamsSettings({ ...TEAMS, TEAMS_APP_CERTIFICATE_FILE: certs.app.pemFile });
    expect(r.problems).toEqual([]);
    expect(r.teams?.appPassword).toBeUndefined();
    const der = execFileSync('openssl', ['x509', '-outform', 'DER'], { input: certs.app.certPem });
    const sha256 = execFileSync('openssl', ['dgst', '-sha256', '-binary'], { input: der }).toString('base64url');
    expect(r.teams?.appCertificate?.thumbprintSha256).toBe(sha256);
    expect(r.teams?.appCertificate?.privateKey().asymmetricKeyType).toBe('rsa');
    // The key never shows in JSON or inspect output (a logged settings object).
    for (const shown of [JSON.stringify(r), inspect(r, { depth: 10 })]) {
      expect(shown).toContain(certs.app.pemFile);
      expect(shown).not.toContain(KEY_LINE(certs.app.keyPem));
    }
  });

  it('refuses both the password and the certificate, and neither, naming both variables', () => {
    const both = { ...TEAMS, TEAMS_APP_PASSWORD: 'hunter2-secret', TEAMS_APP_CERTIFICATE_FILE: certs.app.pemFile };
    const r = parseBotSettings(both);
    expect(r.ok ? [] : r.problems).toEqual([
      'TEAMS_APP_PASSWORD and TEAMS_APP_CERTIFICATE_FILE are both set: set only one, the client secret or the certificate',
    ]);
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(parseTeamsSettings(TEAMS).problems).toEqual([
      'TEAMS_APP_PASSWORD is not set: TEAMS_APP_ID needs the app registration client secret, ' +
        'or its certificate in TEAMS_APP_CERTIFICATE_FILE',
    ]);
  });

  it('says what is wrong with the file, naming the variable and the file, never its contents', () => {
    const { certPem, keyPem } = certs.app;
    const ecKey = execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256']);
    const encrypted = execFileSync('openssl', ['pkey', '-aes256', '-passout', 'pass:pw'], { input: keyPem });
    const cases: [string, string][] = [
      [join(certs.dir, 'missing.pem'), 'cannot be read (ENOENT)'],
      [file('key-only.pem', keyPem), 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)'],
      [file('cert-only.crt', certPem), 'holds no PEM private key (-----BEGIN PRIVATE KEY-----) after the certificate'],
      [
        file('encrypted.pem', certPem + encrypted.toString()),
        'the private key is encrypted: give it without a passphrase',
      ],
      [file('broken.pem', certPem.replace(/\n[A-Za-z]/, '\n!') + keyPem), 'the certificate cannot be parsed'],
      [file('ec.pem', certPem + ecKey.toString()), 'the key is ec: Entra ID needs an RSA key'],
      [file('mismatch.pem', certPem + certs.other.keyPem), 'the private key is not the key of the certificate'],
    ];
    for (const [path, why] of cases) {
      expect(problems(path)).toEqual([`TEAMS_APP_CERTIFICATE_FILE (${path}): ${why}`]);
      expect(problems(path).join()).not.toContain(KEY_LINE(keyPem));
    }
  });

  it('refuses a certificate that has expired (Entra ID would refuse its assertions)', () => {
    const later = new Date(Date.now() + 3 * 86_400_000); // the test certificate is valid for two days
    expect(readAppCertificate(certs.app.pemFile, later).problem).toMatch(
      new RegExp(`^TEAMS_APP_CERTIFICATE_FILE \\(${certs.app.pemFile}\\): the certificate expired on \\d{4}-`),
    );
  });

  it('the bot exits 2 with the reason when the certificate file cannot be used', () => {
    const mismatch = file('exit-mismatch.pem', certs.app.certPem + certs.other.keyPem);
    const run = runMainToExit({ ...TEAMS, TEAMS_APP_CERTIFICATE_FILE: mismatch });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      `TEAMS_APP_CERTIFICATE_FILE (${mismatch}): the private key is not the key of the certificate`,
    );
    expect(run.stderr + run.stdout).not.toContain(KEY_LINE(certs.other.keyPem));
  }, 60_000);
});
