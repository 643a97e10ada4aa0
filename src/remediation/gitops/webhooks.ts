import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const sha256 = (s: string | Buffer) => createHash('sha256').update(s).digest();

/**
 * GitHub's `X-Hub-Signature-256: sha256=<hex>`: HMAC-SHA256 of the raw body with the webhook's secret,
 * compared in constant time (both sides hashed first, so neither length nor content leaks).
 */
export function githubSignatureValid(raw: Buffer, header: string | undefined, secret: string): boolean {
  const m = /^sha256=([0-9a-f]{64})$/i.exec((header ?? '').trim());
  if (!m?.[1]) return false;
  const expected = createHmac('sha256', secret).update(raw).digest('hex');
  return timingSafeEqual(sha256(m[1].toLowerCase()), sha256(expected));
}

/** GitLab's `X-Gitlab-Token`: the secret itself, compared in constant time. */
export function gitlabTokenValid(header: string | undefined, secret: string): boolean {
  if (header === undefined || header === '') return false;
  return timingSafeEqual(sha256(header), sha256(secret));
}

/** What a webhook names: a request to read again, or nothing the bot follows (and why, for the answer). */
export type WebhookVerdict =
  | { kind: 'request'; repos: string[]; number: number }
  | { kind: 'ignored'; why: string }
  | { kind: 'invalid'; why: string };

const githubPullRequest = z.object({
  action: z.string(),
  pull_request: z.object({ number: z.number().int().positive() }),
  repository: z.object({ full_name: z.string().min(1) }),
});

const gitlabMergeRequest = z.object({
  object_kind: z.literal('merge_request'),
  project: z.object({ id: z.number().int(), path_with_namespace: z.string().min(1) }),
  object_attributes: z.object({ iid: z.number().int().positive(), state: z.string() }),
});

const issues = (e: z.ZodError) => e.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');

/** A GitHub delivery (`X-GitHub-Event`): a `pull_request` event whose action is `closed` names a request. */
export function githubWebhook(event: string | undefined, body: unknown): WebhookVerdict {
  if (event === 'ping') return { kind: 'ignored', why: 'ping' };
  if (event !== 'pull_request') return { kind: 'ignored', why: `event ${event ?? '(none)'} is not pull_request` };
  const p = githubPullRequest.safeParse(body);
  if (!p.success) return { kind: 'invalid', why: `not a pull_request event body: ${issues(p.error)}` };
  if (p.data.action !== 'closed') return { kind: 'ignored', why: `action ${p.data.action} is not closed` };
  return { kind: 'request', repos: [p.data.repository.full_name], number: p.data.pull_request.number };
}

/** A GitLab delivery (`X-Gitlab-Event`): a `Merge Request Hook` whose state is merged or closed names a request. */
export function gitlabWebhook(event: string | undefined, body: unknown): WebhookVerdict {
  if (event !== 'Merge Request Hook')
    return { kind: 'ignored', why: `event ${event ?? '(none)'} is not Merge Request Hook` };
  const p = gitlabMergeRequest.safeParse(body);
  if (!p.success) return { kind: 'invalid', why: `not a merge request event body: ${issues(p.error)}` };
  const { state, iid } = p.data.object_attributes;
  if (state !== 'merged' && state !== 'closed')
    return { kind: 'ignored', why: `state ${state} is not merged or closed` };
  return { kind: 'request', repos: [p.data.project.path_with_namespace, String(p.data.project.id)], number: iid };
}
