import { parseStored } from '../../../../core/stored-json.js';
import type { App, webApi } from '@slack/bolt';
import { z } from 'zod';
import type { InFlight } from '../../../../core/feature.js';
import { requestId, type Logger } from '../../../../core/logging.js';
import type { Message } from '../../../../core/message.js';
import type { ChatPort, MessageRef } from '../../../../core/ports/chat.js';
import type { StateStore } from '../../../../core/ports/state-store.js';
import { appliedMessage, approvalRequestMessage, noticeMessage } from '../../../../remediation/messages.js';
import type { Actor, AppliedResult, Remediation } from '../../../../remediation/service.js';
import { toBlockKit } from '../../render/block-kit.js';
import { PREVIEW_FORM } from '../../../../remediation/plan-form.js';
import { toModalView, valuesFromView } from '../../render/form-view.js';
import { actorOf } from './actor.js';

export interface RemediationListenerDeps {
  remediation: Remediation;
  chat: ChatPort;
  client: webApi.WebClient;
  /** Where the thread of a request is remembered (by pending id): results are posted there. */
  store: StateStore;
  dryRun: boolean;
  work: InFlight;
  logger: Logger;
  /** Runs the named checks again after an apply and renders what they find (absent: no re-run). */
  recheck?: (env: string, checkIds: readonly string[]) => Promise<Message>;
}

const threadSchema = z.object({ channel: z.string(), ts: z.string() });
const THREAD_TTL_MS = 24 * 3600 * 1000;

/**
 * The remediation buttons: `fix:<action>` opens the preview, the modal's submission requests it, and
 * Approve / Reject / Revert act on the opaque id in the button. Every click is authorized by the
 * remediation service from what Slack signed (user, team, channel); the value is only an id.
 */
export function registerRemediationListeners(app: App, deps: RemediationListenerDeps): void {
  const { remediation, chat } = deps;
  const threadKey = (id: string) => `remediation:thread:${id}`;

  async function rememberThread(pendingId: string, thread: MessageRef): Promise<void> {
    await deps.store.set(threadKey(pendingId), JSON.stringify(thread), THREAD_TTL_MS);
  }
  async function threadOf(pendingId: string): Promise<MessageRef | undefined> {
    return parseStored(threadSchema, await deps.store.get(threadKey(pendingId)));
  }
  async function tell(actor: Pick<Actor, 'userId' | 'channelId'>, message: Message): Promise<void> {
    const { text, blocks } = toBlockKit(message);
    await deps.client.chat.postEphemeral({ channel: actor.channelId, user: actor.userId, text, blocks });
  }
  async function postInThread(thread: MessageRef | undefined, channel: string, message: Message): Promise<void> {
    await chat.post({ channel: thread?.channel ?? channel, ...(thread ? { threadTs: thread.ts } : {}), message });
  }
  /** After a change: what it did, then the checks it targets run again, in the same thread. */
  async function postApplied(thread: MessageRef | undefined, channel: string, applied: AppliedResult): Promise<void> {
    await postInThread(thread, channel, appliedMessage(applied));
    if (!deps.recheck || applied.dryRun || !applied.outcome?.ok || !applied.recheck.length) return;
    try {
      await postInThread(thread, channel, await deps.recheck(applied.record.env, applied.recheck));
    } catch (err) {
      deps.logger.warn({ err }, 'could not re-run the checks after the change');
    }
  }

  app.action(/^fix:/, async ({ ack, body, action }) => {
    await ack();
    const actor = actorOf(body);
    const offerId = (action as { value?: string }).value ?? '';
    const triggerId = (body as { trigger_id?: string }).trigger_id;
    if (!actor || !triggerId) return;
    const logger = deps.logger.child({
      req: requestId(),
      user: actor.userId,
      channel: actor.channelId,
      button: (action as { action_id?: string }).action_id,
    });
    await deps.work.run(async () => {
      const previewed = await remediation.preview(actor, offerId);
      if (!previewed.ok) {
        logger.info({ reason: previewed.message }, 'remediation preview refused');
        await tell(actor, noticeMessage('warning', previewed.message));
        return;
      }
      const ts = actor.threadTs ?? actor.messageTs;
      if (ts) await rememberThread(previewed.record.id, { channel: actor.channelId, ts });
      await deps.client.views.open({
        trigger_id: triggerId,
        view: toModalView(previewed.form),
      });
      logger.info(
        { pending: previewed.record.id, action: previewed.record.action, env: previewed.record.env },
        'remediation preview opened',
      );
    });
  });

  app.view(PREVIEW_FORM, async ({ ack, body, view }) => {
    const pendingId = view.private_metadata;
    const user = { userId: body.user.id, teamId: body.user.team_id ?? body.team?.id ?? '' };
    const stored = await remediation.storedPlan(pendingId);
    const params = valuesFromView(view.state.values);
    const changed = stored && Object.entries(params).some(([k, v]) => String(stored.params[k]) !== String(v));
    if (changed) {
      // A changed parameter is a new plan: show it before anything happens.
      const again = await remediation.repreview({ ...user, channelId: '' }, pendingId, params);
      if (!again.ok) {
        await ack({
          response_action: 'errors',
          errors: Object.fromEntries(Object.keys(params).map((k) => [`param:${k}`, again.message.slice(0, 150)])),
        });
        return;
      }
      const thread = await threadOf(pendingId);
      if (thread) await rememberThread(again.record.id, thread);
      await ack({
        response_action: 'update',
        view: toModalView(again.form),
      });
      return;
    }
    await ack();
    await deps.work.run(async () => {
      const thread = await threadOf(pendingId);
      const requested = await remediation.request({ ...user, channelId: thread?.channel ?? '' }, pendingId);
      const channel = thread?.channel ?? (requested.ok ? requested.record.requester.channelId : '');
      if (!requested.ok) {
        if (channel)
          await tell({ userId: user.userId, channelId: channel }, noticeMessage('warning', requested.message));
        return;
      }
      if (requested.applied) await postApplied(thread, channel, requested.applied);
      else await postInThread(thread, channel, approvalRequestMessage(requested.record, requested.awaiting ?? 1));
    });
  });

  for (const name of ['approve', 'reject'] as const) {
    app.action(name, async ({ ack, body, action }) => {
      await ack();
      const actor = actorOf(body);
      const pendingId = (action as { value?: string }).value ?? '';
      if (!actor) return;
      await deps.work.run(async () => {
        const thread =
          (await threadOf(pendingId)) ??
          (actor.messageTs ? { channel: actor.channelId, ts: actor.threadTs ?? actor.messageTs } : undefined);
        const result =
          name === 'approve' ? await remediation.approve(actor, pendingId) : await remediation.reject(actor, pendingId);
        if (!result.ok) {
          await tell(actor, noticeMessage('warning', result.message));
          return;
        }
        const approvalMessage = actor.messageTs ? { channel: actor.channelId, ts: actor.messageTs } : undefined;
        if (name === 'reject') {
          const text = `Rejected by <@${actor.userId}>: nothing was changed.`;
          if (approvalMessage)
            await chat.update({
              ...approvalMessage,
              message: noticeMessage(
                'info',
                `${result.record.action} in ${result.record.env} was rejected; nothing was changed.`,
                [[{ text: 'Rejected by ' }, { mentionUser: actor.userId }]],
              ),
            });
          else await postInThread(thread, actor.channelId, noticeMessage('info', text));
          return;
        }
        const approved = result as Extract<typeof result, { ok: true }> & {
          applied?: Parameters<typeof appliedMessage>[0];
          awaiting?: number;
        };
        if (approved.applied) {
          if (approvalMessage)
            await chat.update({
              ...approvalMessage,
              message: noticeMessage('ok', `Approved and applied: ${approved.record.summary}`),
            });
          await postApplied(thread, actor.channelId, approved.applied);
        } else if (approvalMessage) {
          await chat.update({
            ...approvalMessage,
            message: approvalRequestMessage(approved.record, approved.awaiting ?? 1),
          });
        }
      });
    });
  }

  app.action('revert', async ({ ack, body, action }) => {
    await ack();
    const actor = actorOf(body);
    const revertId = (action as { value?: string }).value ?? '';
    if (!actor) return;
    await deps.work.run(async () => {
      const result = await remediation.revert(actor, revertId);
      if (!result.ok) {
        await tell(actor, noticeMessage('warning', result.message));
        return;
      }
      const thread = actor.messageTs ? { channel: actor.channelId, ts: actor.threadTs ?? actor.messageTs } : undefined;
      await postInThread(
        thread,
        actor.channelId,
        noticeMessage(result.outcome.ok ? 'ok' : 'error', result.message, [
          [{ text: 'Reverted by ' }, { mentionUser: actor.userId }],
        ]),
      );
    });
  });
}
