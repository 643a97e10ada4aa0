import type { AlertKind } from './alert-kinds.js';
import { runDiagnosis, type EngineDeps } from '../diagnostics/engine.js';
import type { Logger } from '../core/logging.js';
import {
  markResolved,
  renderCooldownReply,
  renderDiagnosisReply,
  renderMappingRequest,
  renderResolvedReply,
  type MappingRequestInput,
} from './alert-reply.js';
import { describeError } from '../core/describe-error.js';
import type { Message } from '../core/message.js';
import type { ChatPort, MessageRef } from '../core/ports/chat.js';
import type { ReportMessageOptions } from '../render/report-message.js';
import type { CooldownStore } from './cooldown-store.js';
import type { Limiter } from './diagnosis-limit.js';

export interface AlertReplierDeps extends EngineDeps {
  chat: ChatPort;
  cooldowns: CooldownStore;
  logger: Logger;
  render?: ReportMessageOptions;
  /** Aborted when the bot's shutdown grace period is over: a diagnosis still running is reported as interrupted. */
  interrupted?: () => AbortSignal | undefined;
  /** Bounds how many alert diagnoses run at once (default: no bound). */
  limit?: Limiter;
}

/**
 * Keeps a reply that the chat platform refused for now (an outage, a rate limit), to post it later: true
 * when kept, false when the refusal is final. Rejects when it cannot keep it (the state store failed).
 */
export type Postpone = (
  post: { channel: string; threadTs?: string; message: Message; kind: string },
  err: unknown,
) => Promise<boolean>;

/** One alert of a known kind, mapped to an environment, and the thread its replies go into. */
export interface AlertInThread {
  kind: AlertKind;
  env: string;
  /** The alert post (or the Alertmanager group message): replies go into its thread. */
  thread: MessageRef;
  logger?: Logger;
  /** A reply Slack refuses is kept and posted later (alert posts read in a channel); absent, the caller retries. */
  postpone?: Postpone;
}

/**
 * `failed`: the diagnosis failed and that was said in the thread; `undelivered`: nothing could be posted
 * (Slack down), so the caller should try again later; `interrupted`: a restart cut the diagnosis short.
 */
export type FiringOutcome = 'diagnosed' | 'queued' | 'cooldown' | 'failed' | 'undelivered' | 'interrupted';

/** Thrown in place of a diagnosis that a restart cut short. */
class Interrupted extends Error {}

/** `work`, or `Interrupted` as soon as `signal` aborts (the work's own late failure is then ignored). */
function unlessInterrupted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return work;
  work.catch(() => undefined);
  if (signal.aborted) return Promise.reject(new Interrupted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new Interrupted());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
export type ResolvedOutcome = 'resolved' | 'no_incident';

export interface AlertReplier {
  /**
   * Diagnoses a firing alert in its thread, unless the same alert fired for the same environment within
   * the cooldown of an incident that is still open: then it replies with a link to the earlier diagnosis.
   * `firedAt` (ms) starts the incident.
   */
  firing(alert: AlertInThread & { firedAt: number }): Promise<FiringOutcome>;
  /**
   * Closes the open incident and ends its cooldown: "resolved after N min" in the thread, and the
   * diagnosis header marked resolved. The alert firing again afterwards gets a new diagnosis.
   */
  resolved(alert: AlertInThread & { resolvedAt: number }): Promise<ResolvedOutcome>;
  /** The one reply to alerts whose environment is unknown, naming the labels seen. */
  askForMapping(thread: MessageRef, input: MappingRequestInput, logger?: Logger, postpone?: Postpone): Promise<void>;
}

/** The check ids an alert kind runs in an environment; undefined for the default set. */
function checkIdsFor(kind: AlertKind, deps: EngineDeps, env: string): string[] | undefined {
  if (kind.checkIds === 'all') return undefined;
  const disabled =
    (Object.hasOwn(deps.config.environments, env) ? deps.config.environments[env]?.disabledChecks : undefined) ?? [];
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

  const linkTo = (ref: MessageRef, threadTs: string | undefined) =>
    chat.permalink({ ...ref, ...(threadTs ? { threadTs } : {}) });
  /** Posts in the thread; undefined when Slack refused it for now and `postpone` kept it for later. */
  const reply = async (thread: MessageRef, message: Message, postpone?: Postpone): Promise<MessageRef | undefined> => {
    try {
      return await chat.post({ channel: thread.channel, threadTs: thread.ts, message });
    } catch (err) {
      if (
        postpone &&
        (await postpone({ channel: thread.channel, threadTs: thread.ts, message, kind: 'alert-reply' }, err))
      )
        return undefined;
      throw err;
    }
  };

  return {
    async firing({ kind, env, thread, firedAt, logger: parent, postpone }) {
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
          ? await linkTo(earlier.diagnosis, earlier.thread.ts)
          : await linkTo(earlier.thread, undefined);
        await reply(
          thread,
          renderCooldownReply({
            alertname,
            env,
            sinceMs: startedAt - earlier.at,
            cooldownMinutes,
            url,
            running: !earlier.diagnosis,
          }),
          postpone,
        );
        logger.info(
          { earlier: earlier.diagnosis ?? earlier.thread },
          'alert fired again within the cooldown; linked the earlier diagnosis',
        );
        return 'cooldown';
      }

      const open = await cooldowns.incident(alertname, env);
      const incident = { firedAt: open?.firedAt ?? firedAt, thread: open?.thread ?? thread };
      await cooldowns.saveIncident(alertname, env, { ...open, ...incident });
      let posting = false;
      try {
        const checkIds = checkIdsFor(kind, deps, env);
        logger.info({ checks: checkIds ?? 'default' }, 'alert diagnosis started');
        const diagnose = () => runDiagnosis(deps, { envName: env, ...(checkIds ? { checkIds } : {}) });
        const report = await unlessInterrupted(
          deps.limit ? deps.limit(diagnose, env) : diagnose(),
          deps.interrupted?.(),
        );
        const message = renderDiagnosisReply(report, { alertname, checks: checkIds ?? 'all' }, deps.render);
        posting = true;
        const posted = await reply(thread, message, postpone);
        if (!posted) {
          // Kept for later: the cooldown stays claimed (a repeat links to this thread) until the incident ends.
          logger.warn('Slack refused the alert diagnosis; it is kept and will be posted once Slack takes it');
          return 'queued';
        }
        const diagnosis = { channel: thread.channel, ts: posted.ts };
        if (await cooldowns.incident(alertname, env)) {
          await cooldowns.complete(alertname, env, { thread, at: startedAt, diagnosis });
          await cooldowns.saveIncident(alertname, env, { ...incident, diagnosis, message });
        } else {
          // Resolved while the checks ran: the incident is closed and stays closed, and its cooldown ends
          // with it, so the next firing is a new incident with a diagnosis of its own.
          await cooldowns.release(alertname, env);
        }
        logger.info(
          { durationMs: report.durationMs, findings: report.findings.map((f) => f.id), diagnosis },
          'alert diagnosis posted',
        );
        return 'diagnosed';
      } catch (err) {
        // The next firing should try again rather than link to nothing.
        await cooldowns.release(alertname, env).catch(() => undefined);
        if (err instanceof Interrupted) {
          // Never the diagnosis's own late failure: the sources close during shutdown, so it would be a false "unreachable".
          const text = `The diagnosis of ${alertname} in ${env} was interrupted by a restart of the bot. Run it again: /session-ttl diagnose ${env}`;
          const note: Message = {
            text,
            blocks: [
              {
                kind: 'section',
                id: 'interrupted',
                text: [
                  { icon: 'warning' },
                  { text: ` The diagnosis of ${alertname} in ` },
                  { text: env, bold: true },
                  { text: ' was interrupted by a restart of the bot. Run it again: ' },
                  { text: `/session-ttl diagnose ${env}`, code: true },
                ],
              },
            ],
          };
          logger.warn('alert diagnosis interrupted by a restart');
          return reply(thread, note).then(
            () => 'interrupted' as const,
            (replyErr: unknown) => {
              logger.error({ err: replyErr }, 'could not say in the thread that the diagnosis was interrupted');
              return 'interrupted' as const;
            },
          );
        }
        if (posting) {
          // The report is ready but Slack refused it through its retries: the caller tries again later.
          logger.error({ err }, 'could not post the alert diagnosis; it will be tried again');
          return 'undelivered';
        }
        const d = describeError(err, logger, 'an alert diagnosis');
        const failure: Message = {
          text: d.message,
          blocks: [
            {
              kind: 'section',
              id: 'failure',
              text: [{ icon: d.expected ? 'warning' : 'error' }, { text: ` ${d.message}` }],
            },
          ],
        };
        return reply(thread, failure, postpone).then(
          () => 'failed' as const,
          (replyErr: unknown) => {
            logger.error(
              { err: replyErr },
              'could not post the diagnosis failure in the thread; it will be tried again',
            );
            return 'undelivered' as const;
          },
        );
      }
    },

    async resolved({ kind, env, thread, resolvedAt, logger: parent, postpone }) {
      const alertname = kind.alertname;
      const logger = (parent ?? deps.logger).child({ alertname, env });
      const incident = await cooldowns.closeIncident(alertname, env);
      // The cooldown belongs to the incident: firing again after this is a new incident, not a repeat.
      await cooldowns.release(alertname, env);
      if (!incident) {
        logger.info('resolved alert without an open incident; nothing to update');
        return 'no_incident';
      }
      const durationMs = resolvedAt - incident.firedAt;
      let diagnosisUrl: string | undefined;
      if (incident.diagnosis && incident.message) {
        try {
          await chat.update({ ...incident.diagnosis, message: markResolved(incident.message, durationMs) });
          diagnosisUrl = await linkTo(incident.diagnosis, incident.thread.ts);
        } catch (err) {
          logger.warn({ err }, 'could not mark the diagnosis resolved');
        }
      }
      await reply(
        thread,
        renderResolvedReply({ alertname, env, durationMs, ...(diagnosisUrl ? { diagnosisUrl } : {}) }),
        postpone,
      );
      logger.info({ durationMs }, 'alert resolved');
      return 'resolved';
    },

    async askForMapping(thread, input, logger = deps.logger, postpone) {
      await reply(thread, renderMappingRequest(input), postpone);
      logger.info({ alertnames: input.alertnames, seen: input.seen }, 'asked for an environment mapping');
    },
  };
}
