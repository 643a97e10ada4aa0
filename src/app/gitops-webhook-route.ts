import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config/config.js';
import { UserError } from '../core/errors.js';
import type { Route } from '../core/feature.js';
import { readRawBody } from '../core/http-body.js';
import type { Logger } from '../core/logging.js';
import type { RequestKey } from '../remediation/gitops/follow-pull-requests.js';
import {
  githubSignatureValid,
  githubWebhook,
  gitlabTokenValid,
  gitlabWebhook,
} from '../remediation/gitops/webhooks.js';

type Provider = 'github' | 'gitlab';

/** The secret an environment's provider signs its webhooks with (`gitops.webhookSecretEnv`), resolved at start. */
export interface WebhookSecret {
  env: string;
  provider: Provider;
  repo: string;
  secret: string;
}

/** Pull request bodies are a few dozen KiB; 1 MiB is far above any. */
export const MAX_GITOPS_WEBHOOK_BYTES = 1024 * 1024;

/** The webhook secrets of the environments that set `gitops.webhookSecretEnv`; a named but unset variable stops start-up. */
export function webhookSecrets(config: Config, processEnv: NodeJS.ProcessEnv): WebhookSecret[] {
  return Object.values(config.environments).flatMap((env) => {
    const g = env.gitops;
    if (!g?.webhookSecretEnv) return [];
    const secret = processEnv[g.webhookSecretEnv];
    if (secret === undefined || secret === '')
      throw new UserError(
        `The webhook secret env var ${g.webhookSecretEnv} (gitops.webhookSecretEnv of environment "${env.name}") is not ` +
          `set in the bot's environment: set it to the secret of the ${g.provider} webhook of ${g.repo}, or remove the field to poll only.`,
        'gitops_webhook_secret_missing',
      );
    return [{ env: env.name, provider: g.provider, repo: g.repo, secret }];
  });
}

export interface GitopsWebhookRouteDeps {
  secrets: readonly WebhookSecret[];
  /** Reads the named request again through the API; how many tracked requests it named. */
  recheck(key: RequestKey): Promise<number>;
  logger: Logger;
  maxBodyBytes?: number;
}

function send(res: ServerResponse, status: number, body: Record<string, unknown>) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** The secrets the request was signed with (GitHub: HMAC of the body; GitLab: the token header). */
function signedBy(provider: Provider, req: IncomingMessage, raw: Buffer, mine: readonly WebhookSecret[]) {
  return mine.filter((s) =>
    provider === 'github'
      ? githubSignatureValid(raw, header(req, 'x-hub-signature-256'), s.secret)
      : gitlabTokenValid(header(req, 'x-gitlab-token'), s.secret),
  );
}

function unauthorized(provider: Provider, req: IncomingMessage): string {
  const name = provider === 'github' ? 'X-Hub-Signature-256' : 'X-Gitlab-Token';
  return header(req, name.toLowerCase()) === undefined
    ? `unauthorized: no ${name} header; set the webhook's secret to the value of gitops.webhookSecretEnv`
    : `unauthorized: ${name} does not match the webhook secret of any environment with this repository`;
}

/**
 * `POST /gitops/github` or `POST /gitops/gitlab`: the provider says a request was closed or merged. Only a
 * request signed with an environment's secret is read; it only makes the bot read that request again through
 * the API (the payload's state is never trusted), so a replayed or forged-but-signed body cannot fake a merge.
 * 401 unsigned or wrongly signed, 400 not the event's shape, 413 too large, 202 ignored, 200 read again.
 */
export function gitopsWebhookRoute(provider: Provider, deps: GitopsWebhookRouteDeps): Route {
  const mine = deps.secrets.filter((s) => s.provider === provider);
  const max = deps.maxBodyBytes ?? MAX_GITOPS_WEBHOOK_BYTES;
  const log = deps.logger.child({ route: `/gitops/${provider}` });
  return {
    method: 'POST',
    path: `/gitops/${provider}`,
    async handle(req, res) {
      if (!mine.length)
        return send(res, 503, {
          error: `no environment with gitops.provider ${provider} sets gitops.webhookSecretEnv: the bot polls its requests instead`,
        });
      const raw = await readRawBody(req, max);
      if (!raw) return send(res, 413, { error: `body larger than ${max} bytes` });
      const signed = signedBy(provider, req, raw, mine);
      if (!signed.length) {
        log.warn({ delivery: header(req, 'x-github-delivery') }, 'refused a GitOps webhook: bad or missing signature');
        return send(res, 401, { error: unauthorized(provider, req) });
      }
      let body: unknown;
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        return send(res, 400, { error: 'body is not valid JSON' });
      }
      const event = header(req, provider === 'github' ? 'x-github-event' : 'x-gitlab-event');
      const verdict = provider === 'github' ? githubWebhook(event, body) : gitlabWebhook(event, body);
      if (verdict.kind === 'invalid') return send(res, 400, { error: verdict.why });
      if (verdict.kind === 'ignored') return send(res, 202, { ignored: verdict.why });
      const repos = verdict.repos.filter((r) => signed.some((s) => s.repo === r));
      if (!repos.length)
        return send(res, 202, {
          ignored: `repository ${verdict.repos[0] ?? ''} is not the gitops repo of the signing environment`,
        });
      const n = await deps.recheck({ provider, repos, number: verdict.number });
      log.info({ repo: repos[0], number: verdict.number, tracked: n }, 'GitOps webhook: read the request again');
      if (!n) return send(res, 202, { ignored: `no open request #${verdict.number} of ${repos[0] ?? ''} is followed` });
      return send(res, 200, { ok: true, rechecked: n });
    },
  };
}
