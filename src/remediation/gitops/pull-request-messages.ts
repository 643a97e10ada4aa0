import { t, type Action, type Inline, type Message } from '../../core/message.js';
import type { TrackedPullRequest } from './tracked-pull-requests.js';

const CONTROLLERS = { argocd: 'Argo CD', flux: 'Flux' } as const;

/** `Argo CD`, `Flux`, or words for a controller the bot did not detect. */
export function controllerName(pr: Pick<TrackedPullRequest, 'syncedBy'>): string {
  return pr.syncedBy ? CONTROLLERS[pr.syncedBy] : 'the GitOps controller';
}

/** `Pull request #7` (GitHub) or `Merge request !7` (GitLab). */
export function requestName(pr: Pick<TrackedPullRequest, 'provider' | 'number'>): string {
  return pr.provider === 'github' ? `Pull request #${pr.number}` : `Merge request !${pr.number}`;
}

const plain = (inline: Inline) => inline.map((s) => ('text' in s ? s.text : '')).join('');

function message(icon: 'ok' | 'warning' | 'info', text: Inline, extra: Message['blocks'] = []): Message {
  return {
    text: plain(text),
    summary: text,
    blocks: [{ kind: 'section', text: [{ icon }, t(' '), ...text] }, ...extra],
  };
}

/**
 * The thread hears that the request was merged: the change (or its revert) is in Git now, and the
 * controller applies it at its next sync.
 */
export function mergedMessage(pr: TrackedPullRequest): Message {
  const sha = pr.settled?.mergeCommitSha;
  const what = pr.kind === 'revert' ? 'the revert' : 'the change';
  return message('ok', [
    t(`${requestName(pr)} (`),
    t(pr.url, { link: pr.url }),
    t(`) was merged into ${pr.base}${sha ? ` at ${sha}` : ''}: ${what} is now in Git; `),
    t(`${controllerName(pr)} applies it at the next sync.`),
  ]);
}

/** The thread hears that the request was closed unmerged, and what that leaves. */
export function closedMessage(pr: TrackedPullRequest): Message {
  const name = requestName(pr);
  if (pr.kind === 'revert')
    return message('warning', [
      t(`${name} (`),
      t(pr.url, { link: pr.url }),
      t(') reverting the fix was closed without merging: Git still holds the fix.'),
    ]);
  return message('warning', [
    t(`${name} (`),
    t(pr.url, { link: pr.url }),
    t(') was closed without merging: the live change stays until Redis restarts; Revert undoes it.'),
  ]);
}

/**
 * After the merge of a change the app reads only at start (enable-sliding-window): the pod template did not
 * change, so the controller did not roll the pods; the button offers the rollout restart, through the usual
 * preview, policy and approvals.
 */
export function restartOfferMessage(pr: TrackedPullRequest, button: Action): Message {
  const r = pr.restart;
  const where = r ? `Deployment ${r.namespace}/${r.deployment}` : 'the Deployment';
  return message(
    'info',
    [
      t(`The pod template of ${where} is unchanged since ${requestName(pr).toLowerCase()} was opened: `),
      t(`${controllerName(pr)} did not roll the pods, which read the new value only when they start. `),
      t('Restart them once it has synced:'),
    ],
    [{ kind: 'actions', id: 'gitops:restart', actions: [button] }],
  );
}
