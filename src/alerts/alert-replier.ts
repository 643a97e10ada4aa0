import type { AlertKind } from './alert-kinds.js';
import { runDiagnosis, type EngineDeps } from '../diagnostics/engine.js';
import type { Logger } from '../core/logging.js';
import {
  markResolved,
  messageLink,
  renderCooldownReply,
  renderDiagnosisReply,
  renderMappingRequest,
  renderResolvedReply,
  type MappingRequestInput,
} from './alert-reply.js';
import type { RenderOptions, SlackMessage } from '../slack/render/report-blocks.js';
import { describeForUser } from '../slack/error-wrapper.js';
import type { CooldownStore, MessageRef } from './cooldown-store.js';
import type { SlackChat } from '../slack/slack-chat.js';

export interface AlertReplierDeps extends EngineDeps {
  chat: SlackChat;
  cooldowns: CooldownStore;
  logger: Logger;
  render?: RenderOptions;
}

/** One alert of a known kind, mapped to an environment, and the thread its replies go into. */
export interface AlertInThread {
  kind: AlertKind;
  env: string;
  /** The alert post (or the Alertmanager group message): replies go into its thread. */
  thread: MessageRef;
  logger?: Logger;
}

export type FiringOutcome = 'diagnosed' | 'cooldown' | 'failed';
export type ResolvedOutcome = 'resolved' | 'no_incident';

export interface AlertReplier {
  /**
   * Diagnoses a firing alert in its thread, unless the same alert fired for the same environment within
   * the cooldown: then it replies with a link to the earlier diagnosis. `firedAt` (ms) starts the incident.
   */
  firing(alert: AlertInThread & { firedAt: number }): Promise<FiringOutcome>;
  /** Closes the open incident: "resolved after N min" in the thread, and the diagnosis header marked resolved. */
  resolved(alert: AlertInThread & { resolvedAt: number }): Promise<ResolvedOutcome>;
  /** The one reply to alerts whose environment is unknown, naming the labels seen. */
  askForMapping(thread: MessageRef, input: MappingRequestInput, logger?: Logger): Promise<void>;
}

/** The check ids an alert kind runs in an environment; undefined for the default set. */
function checkIdsFor(kind: AlertKind, deps: EngineDeps, env: string): string[] | undefined {
  if (kind.checkIds === 'all') return undefined;
  const disabled = deps.config.environments[env]?.disabledChecks ?? [];
  return kind.checkIds.filter((id) => deps.registry.get(id) && !disabled.includes(id));
}

/**
 * Turns alerts into thread replies: runs the alert's checks through the engine and posts the report,
 * with a cooldown per alert + environment and an open incident per alert + environment (both in the
 * shared state store, so replicas agree).
 */
export function createAlertReplier(deps: AlertReplierDeps): AlertReplier {
  const now = deps.now ?? Date.now;
  const { chat, cooldowns } = deps;
  const cooldownMinutes = deps.config.slack.alertCooldownMinutes;

  async function linkTo(ref: MessageRef, threadTs: string | undefined, logger: Logger): Promise<string> {
    try {
      const url = await chat.permalink(ref);
      if (url) return url;
    } catch (err) {
      logger.debug({ err }, 'chat.getPermalink failed; linking by channel and ts');
    }
    return messageLink({ ...ref, ...(threadTs ? { threadTs } : {}) });
  }

  async function reply(thread: MessageRef, message: SlackMessage): Promise<{ ts: string }> {
    return chat.post({ channel: thread.channel, threadTs: thread.ts, text: message.text, blocks: message.blocks });
  }

  return {
    async firing({ kind, env, thread, firedAt, logger: parent }) {
      const alertname = kind.alertname;
      const logger = (parent ?? deps.logger).child({ alertname, env });
      const startedAt = now();
      const claim = await cooldowns.claim(alertname, env, { thread, at: startedAt });
      if (!claim.claimed) {
        const earlier = claim.record;
        if (!earlier) {
          logger.info('alert in cooldown; the earlier record just expired, nothing to link');
          return 'cooldown';
        }
        const url = earlier.diagnosis
          ? await linkTo(earlier.diagnosis, earlier.thread.ts, logger)
          : await linkTo(earlier.thread, undefined, logger);
        await reply(
          thread,
          renderCooldownReply({ alertname, env, sinceMs: startedAt - earlier.at, cooldownMinutes, url, running: !earlier.diagnosis }),
        );
        logger.info({ earlier: earlier.diagnosis ?? earlier.thread }, 'alert fired again within the cooldown; linked the earlier diagnosis');
        return 'cooldown';
      }

      const open = await cooldowns.incident(alertname, env);
      const incident = { firedAt: open?.firedAt ?? firedAt, thread: open?.thread ?? thread };
      await cooldowns.saveIncident(alertname, env, { ...open, ...incident });
      try {
        const checkIds = checkIdsFor(kind, deps, env);
        logger.info({ checks: checkIds ?? 'default' }, 'alert diagnosis started');
        const report = await runDiagnosis(deps, { envName: env, ...(checkIds ? { checkIds } : {}) });
        const message = renderDiagnosisReply(report, { alertname, checks: checkIds ?? 'all' }, deps.render);
        const posted = await reply(thread, message);
        const diagnosis = { channel: thread.channel, ts: posted.ts };
        await cooldowns.complete(alertname, env, { thread, at: startedAt, diagnosis });
        // Resolved while the checks ran: the incident is closed and stays closed.
        if (await cooldowns.incident(alertname, env)) {
          await cooldowns.saveIncident(alertname, env, { ...incident, diagnosis, message });
        }
        logger.info(
          { durationMs: report.durationMs, findings: report.findings.map((f) => f.id), diagnosis },
          'alert diagnosis posted',
        );
        return 'diagnosed';
      } catch (err) {
        // The next firing should try again rather than link to nothing.
        await cooldowns.release(alertname, env).catch(() => undefined);
        const { text } = describeForUser(err, logger, 'an alert diagnosis');
        await reply(thread, { text, blocks: [] }).catch((replyErr: unknown) =>
          logger.error({ err: replyErr }, 'could not post the diagnosis failure in the thread'),
        );
        return 'failed';
      }
    },

    async resolved({ kind, env, thread, resolvedAt, logger: parent }) {
      const alertname = kind.alertname;
      const logger = (parent ?? deps.logger).child({ alertname, env });
      const incident = await cooldowns.closeIncident(alertname, env);
      if (!incident) {
        logger.info('resolved alert without an open incident; nothing to update');
        return 'no_incident';
      }
      const durationMs = resolvedAt - incident.firedAt;
      let diagnosisUrl: string | undefined;
      if (incident.diagnosis && incident.message) {
        try {
          const marked = markResolved(incident.message, durationMs);
          await chat.update({ ...incident.diagnosis, text: marked.text, blocks: marked.blocks });
          diagnosisUrl = await linkTo(incident.diagnosis, incident.thread.ts, logger);
        } catch (err) {
          logger.warn({ err }, 'could not mark the diagnosis resolved');
        }
      }
      await reply(thread, renderResolvedReply({ alertname, env, durationMs, ...(diagnosisUrl ? { diagnosisUrl } : {}) }));
      logger.info({ durationMs }, 'alert resolved');
      return 'resolved';
    },

    async askForMapping(thread, input, logger = deps.logger) {
      await reply(thread, renderMappingRequest(input));
      logger.info({ alertnames: input.alertnames, seen: input.seen }, 'asked for an environment mapping');
    },
  };
}
