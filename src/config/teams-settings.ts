import { z } from 'zod';
import { readAppCertificate, type AppCertificate } from './teams-certificate.js';

/**
 * The Teams front end's settings (issue 22). Teams is enabled only when TEAMS_APP_ID is set; the bot is
 * single-tenant, so the password and the tenant are then required. Every Microsoft endpoint the bot calls
 * or trusts has an override, for sovereign clouds (GCC High, China) and for tests on loopback.
 */
export interface TeamsSettings {
  /** The bot's Microsoft App ID (Entra app registration): the audience of incoming tokens. */
  appId: string;
  /** The app registration's client secret, for the outgoing (bot -> connector) token; or else `appCertificate`. */
  appPassword?: string;
  /** TEAMS_APP_CERTIFICATE_FILE: the app registration's certificate, instead of the client secret. */
  appCertificate?: AppCertificate;
  /** The Entra tenant the bot serves: incoming activities from another tenant are refused. */
  tenantId: string;
  /** OpenID metadata whose `jwks_uri` signs incoming activities. */
  openIdMetadataUrl: string;
  /** The `iss` of incoming tokens. */
  tokenIssuer: string;
  /** The login authority host; the token endpoint is `<loginUrl>/<tenantId>/oauth2/v2.0/token`. */
  loginUrl: string;
  /** Microsoft Graph's base URL: Entra ID group membership for the access policy's `entraGroups`. */
  graphUrl: string;
  /** The scope of the bot's outgoing token, the Bot Connector's (its cloud's `…/.default`). */
  botScope: string;
  /** The Teams web client's address, the host of the deep links to messages (alert permalinks). */
  webUrl: string;
}

/**
 * Every default in one place: Microsoft's public cloud. Sovereign clouds name their own (README): e.g. the
 * bot scope `https://api.botframework.us/.default` (GCC High, DoD) and the web client `https://gov.teams.microsoft.us`.
 */
export const TEAMS_DEFAULTS = {
  openIdMetadataUrl: 'https://login.botframework.com/v1/.well-known/openidconfiguration',
  tokenIssuer: 'https://api.botframework.com',
  loginUrl: 'https://login.microsoftonline.com',
  graphUrl: 'https://graph.microsoft.com',
  botScope: 'https://api.botframework.com/.default',
  webUrl: 'https://teams.microsoft.com',
} as const;

const optional = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v ? v : undefined));

/** An http(s) URL setting without a trailing slash; unset, the default applies. */
const url = (name: string, fallback: string) =>
  optional
    .refine((v) => v === undefined || /^https?:\/\/[^\s]+$/.test(v), `${name} must be an http(s) URL, or unset`)
    .transform((v) => (v ?? fallback).replace(/\/+$/, ''));

/** The login host (MSAL's authority is `<it>/<tenant>`): https, no path; unset, the default applies. */
const loginHost = (name: string, fallback: string) =>
  optional
    .refine(
      (v) => v === undefined || /^https:\/\/[^\s/?#]+\/*$/.test(v),
      `${name} must be the https URL of the login host, without a path (e.g. https://login.microsoftonline.us; ` +
        'MSAL takes no http authority), or unset',
    )
    .transform((v) => (v ?? fallback).replace(/\/+$/, ''));

/** An OAuth scope for client credentials: an https resource URL with `/.default`; unset, the default applies. */
const scope = (name: string, fallback: string) =>
  optional
    .refine(
      (v) => v === undefined || /^https:\/\/[^\s/]+(\/[^\s]*)?\/\.default$/.test(v),
      `${name} must be an https URL ending in /.default (e.g. https://api.botframework.us/.default; ` +
        "Microsoft's bot settings name it without /.default), or unset",
    )
    .transform((v) => v ?? fallback);

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// Messages name the variable and what is expected, never the value: the password is a secret.
const teamsSchema = z.object({
  TEAMS_APP_ID: optional.refine(
    (v) => v === undefined || GUID.test(v),
    'TEAMS_APP_ID must be the Microsoft App ID (a GUID) of the Azure Bot, or unset to run without Teams',
  ),
  TEAMS_APP_PASSWORD: optional,
  TEAMS_APP_CERTIFICATE_FILE: optional,
  TEAMS_TENANT_ID: optional.refine(
    (v) => v === undefined || GUID.test(v),
    'TEAMS_TENANT_ID must be the Entra tenant id (a GUID) the bot serves',
  ),
  TEAMS_OPENID_METADATA_URL: url('TEAMS_OPENID_METADATA_URL', TEAMS_DEFAULTS.openIdMetadataUrl),
  TEAMS_TOKEN_ISSUER: url('TEAMS_TOKEN_ISSUER', TEAMS_DEFAULTS.tokenIssuer),
  TEAMS_LOGIN_URL: loginHost('TEAMS_LOGIN_URL', TEAMS_DEFAULTS.loginUrl),
  TEAMS_GRAPH_URL: url('TEAMS_GRAPH_URL', TEAMS_DEFAULTS.graphUrl),
  TEAMS_BOT_SCOPE: scope('TEAMS_BOT_SCOPE', TEAMS_DEFAULTS.botScope),
  TEAMS_WEB_URL: url('TEAMS_WEB_URL', TEAMS_DEFAULTS.webUrl),
});

/**
 * The Teams settings from the environment: `teams` undefined when TEAMS_APP_ID is unset (Teams is off),
 * and every problem at once, each naming its variable.
 */
export function parseTeamsSettings(env: NodeJS.ProcessEnv): { teams?: TeamsSettings; problems: string[] } {
  const parsed = teamsSchema.safeParse(env);
  if (!parsed.success) return { problems: parsed.error.issues.map((i) => i.message) };
  const d = parsed.data;
  if (!d.TEAMS_APP_ID) return { problems: [] };
  const credential = appCredential(d.TEAMS_APP_PASSWORD, d.TEAMS_APP_CERTIFICATE_FILE);
  const problems = credential.problem ? [credential.problem] : [];
  if (!d.TEAMS_TENANT_ID)
    problems.push('TEAMS_TENANT_ID is not set: TEAMS_APP_ID needs the Entra tenant id of the single-tenant bot');
  if (credential.problem || !d.TEAMS_TENANT_ID) return { problems };
  return {
    problems,
    teams: {
      appId: d.TEAMS_APP_ID,
      ...(d.TEAMS_APP_PASSWORD ? { appPassword: d.TEAMS_APP_PASSWORD } : {}),
      ...(credential.certificate ? { appCertificate: credential.certificate } : {}),
      tenantId: d.TEAMS_TENANT_ID,
      openIdMetadataUrl: d.TEAMS_OPENID_METADATA_URL,
      tokenIssuer: d.TEAMS_TOKEN_ISSUER,
      loginUrl: d.TEAMS_LOGIN_URL,
      graphUrl: d.TEAMS_GRAPH_URL,
      botScope: d.TEAMS_BOT_SCOPE,
      webUrl: d.TEAMS_WEB_URL,
    },
  };
}

/** Exactly one of the client secret and the certificate (its file read now); a problem names both variables. */
function appCredential(
  password?: string,
  certificateFile?: string,
): { certificate?: AppCertificate; problem?: string } {
  if (password && certificateFile)
    return {
      problem:
        'TEAMS_APP_PASSWORD and TEAMS_APP_CERTIFICATE_FILE are both set: set only one, the client secret or the certificate',
    };
  if (certificateFile) return readAppCertificate(certificateFile);
  if (password) return {};
  return {
    problem:
      'TEAMS_APP_PASSWORD is not set: TEAMS_APP_ID needs the app registration client secret, ' +
      'or its certificate in TEAMS_APP_CERTIFICATE_FILE',
  };
}
