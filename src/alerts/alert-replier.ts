import { randomUUID } from 'node:crypto';
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
import { findEarlierPost } from '../core/job-replies.js';
import type { Message } from '../core/message.js';
import type { ChatPort, MessageRef } from '../core/ports/chat.js';
import type { ReportMessageOptions } from '../render/report-message.js';
import type { CooldownRecord, CooldownStore } from './cooldown-store.js';
import type { Limiter } from './diagnosis-limit.js';
import type { SharedDiagnoses } from './shared-diagnosis.js';
import type { Report } from '../diagnostics/types.js';
import type { ReportActions } from '../remediation/service.js';

export interface AlertReplierDeps extends EngineDeps {
  chat: ChatPort;
  cooldowns: CooldownStore;
  logger: Logger;
  render?: ReportMessageOptions;
  /** Aborted when the bot's shutdown grace period is over: a diagnosis still running is reported as interrupted. */
  interrupted?: () => AbortSignal | undefined;
  /** Bounds how many alert diagnoses run at once (default: no bound). */
  limit?: Limiter;
  /** The fix buttons a diagnosis offers (remediation), the same as a slash report's; absent, none. */
  reportActions?: (env: string, findings: Report['findings']) => Promise<ReportActions>;
  /** Keeps a posted diagnosis that offers fixes, so that an applied fix can mark it. */
  rememberReport?: (ref: MessageRef, report: Message) => Promise<void>;
  /** How people type a command on the chat platform, in the hints of replies (default `/session-ttl`). */
  invocation?: string;
  /** One diagnosis of an alert for every platform answering it (Slack and Teams); absent, each runs its own. */
  shared?: SharedDiagnoses;
}

/**
 * Keeps a reply that the chat platform refused for now (an outage, a rate limit), to post it later: true
 * when kept, false when the refusal is final. Rejects when it cannot keep it (the state store failed).
 */
export type Postpone = (
  post: { channel: string; threadTs?: string; message: Message; kind: string; key?: string },
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
  /** The durable job answering it: a cooldown this job claimed in an earlier run (on a replica that died) is its own. */
  job?: string;
  /** The idempotency key of its reply, the same in every run of the job (see ChatPort.post); absent, one per reply. */
  key?: string;
  /**
   * A later run of the job (after a crash or a failed try): the reply is first looked for by `key` in the
   * thread, since an earlier run may have posted it and stopped before recording it.
   */
  rerun?: boolean;
}

/**
 * `failed`: the diagnosis failed and that was said in the thread; `undelivered`: nothing could be posted
 * (Slack down), so the caller should try again later; `interrupted`: a restart cut the diagnosis short.
 */
export type FiringOutcome = 'diagnosed' | 'queued' | 'cooldown' | 'failed' | 'undelivered' | 'interrupted';

/**
 * `work`'s value, or `interrupted` as soon as `signal` aborts (the work's own late failure is then ignored:
 * the sources close during shutdown, so it would be a false "unreachable").
 */
function unlessInterrupted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
): Promise<{ value: T } | 'interrupted'> {
  const value = work.then((v) => ({ value: v }));
  if (!signal) return value;
  value.catch(() => undefined);
  if (signal.aborted) return Promise.resolve('interrupted');
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve('interrupted');
    signal.addEventListener('abort', onAbort, { once: true });
    value.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
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

/** Said in the thread when a restart cut the diagnosis short. */
function interruptedNote(alertname: string, env: string, invocation: string): Message {
  return {
    text:
      `The diagnosis of ${alertname} in ${env} was interrupted by a restart of the bot. ` +
      `Run it again: ${invocation} diagnose ${env}`,
    blocks: [
      {
        kind: 'section',
        id: 'interrupted',
        text: [
          { icon: 'warning' },
          { text: ` The diagnosis of ${alertname} in ` },
          { text: env, bold: true },
          { text: ' was interrupted by a restart of the bot. Run it again: ' },
          { text: `${invocation} diagnose ${env}`, code: true },
        ],
      },
    ],
  };
}

/** Said in the thread when the diagnosis failed. */
function failureNote(d: { message: string; expected: boolean }): Message {
  return {
    text: d.message,
    blocks: [
      {
        kind: 'section',
        id: 'failure',
        text: [{ icon: d.expected ? 'warning' : 'error' }, { text: ` ${d.message}` }],
      },
    ],
  };
}

/** A firing alert on its way through the replier, with its logger and when its handling started. */
interface Firing extends AlertInThread {
  firedAt: number;
  alertname: string;
  logger: Logger;
  startedAt: number;
}

/** The incident a diagnosis belongs to: when it fired and the thread it is answered in. */
interface IncidentRef {
  firedAt: number;
  thread: MessageRef;
}

/**
 * Turns alerts into thread replies: runs the alert's checks through the engine and posts the report,
 * with a cooldown per alert + environment and an open incident per alert + environment (both in the
 * shared state store, so replicas agree).
 */
export function createAlertReplier(deps: AlertReplierDeps): AlertReplier {
  return new ThreadReplier(deps);
}

class ThreadReplier implements AlertReplier {
  private readonly now: () => number;

  constructor(private readonly deps: AlertReplierDeps) {
    this.now = deps.now ?? Date.now;
  }

  private linkTo(ref: MessageRef, threadTs: string | undefined): Promise<string> {
    return this.deps.chat.permalink({ ...ref, ...(threadTs ? { threadTs } : {}) });
  }

  /** Posts in the thread; undefined when Slack refused it for now and `postpone` kept it for later. */
  private async reply(
    thread: MessageRef,
    message: Message,
    postpone?: Postpone,
    given?: string,
  ): Promise<MessageRef | undefined> {
    // One idempotency key for every try of this reply, the outbox's included: Slack shows it once.
    const key = given ?? randomUUID();
    try {
      return await this.deps.chat.post({ channel: thread.channel, threadTs: thread.ts, message, key });
    } catch (err) {
      const post = { channel: thread.channel, threadTs: thread.ts, message, kind: 'alert-reply', key };
      if (postpone && (await postpone(post, err))) return undefined;
      throw err;
    }
  }

  async firing(alert: AlertInThread & { firedAt: number }): Promise<FiringOutcome> {
    const alertname = alert.kind.alertname;
    const logger = (alert.logger ?? this.deps.logger).child({ alertname, env: alert.env });
    const f: Firing = { ...alert, alertname, logger, startedAt: this.now() };
    if (alert.rerun && alert.key) {
      const where = { channel: alert.thread.channel, threadTs: alert.thread.ts, key: alert.key };
      const found = await findEarlierPost(this.deps.chat, where, logger);
      if (found) {
        logger.warn({ reply: found }, 'an earlier run of this job posted the diagnosis; not posting it again');
        return 'diagnosed';
      }
    }
    const record = { thread: alert.thread, at: f.startedAt, ...(alert.job ? { owner: alert.job } : {}) };
    const claim = await this.deps.cooldowns.claim(alertname, alert.env, record);
    const ours = !claim.claimed && alert.job !== undefined && claim.record?.owner === alert.job;
    if (ours && claim.record?.diagnosis) {
      logger.info('an earlier run of this job posted the diagnosis; not posting it again');
      return 'diagnosed';
    }
    if (!claim.claimed && !ours) return this.inCooldown(f, claim.record);
    const { cooldowns } = this.deps;
    const open = await cooldowns.incident(alertname, alert.env);
    const incident = { firedAt: open?.firedAt ?? alert.firedAt, thread: open?.thread ?? alert.thread };
    await cooldowns.saveIncident(alertname, alert.env, { ...open, ...incident });
    return this.diagnose(f, incident);
  }

  /** The alert fired again within the cooldown: a link to the earlier diagnosis (or its thread) instead. */
  private async inCooldown(f: Firing, earlier: CooldownRecord | undefined): Promise<FiringOutcome> {
    if (!earlier) {
      f.logger.info('alert in cooldown; the earlier record just expired, nothing to link');
      return 'cooldown';
    }
    const url = earlier.diagnosis
      ? await this.linkTo(earlier.diagnosis, earlier.thread.ts)
      : await this.linkTo(earlier.thread, undefined);
    const message = renderCooldownReply({
      alertname: f.alertname,
      env: f.env,
      sinceMs: f.startedAt - earlier.at,
      cooldownMinutes: this.deps.config.alerts.cooldownMinutes,
      url,
      running: !earlier.diagnosis,
      ...(this.deps.invocation ? { invocation: this.deps.invocation } : {}),
    });
    await this.reply(f.thread, message, f.postpone, f.key);
    f.logger.info(
      { earlier: earlier.diagnosis ?? earlier.thread },
      'alert fired again within the cooldown; linked the earlier diagnosis',
    );
    return 'cooldown';
  }

  /** Runs the alert's checks and posts the report in the thread; a failure is said there too. */
  private async diagnose(f: Firing, incident: IncidentRef): Promise<FiringOutcome> {
    const { deps } = this;
    let posting = false;
    try {
      const checkIds = checkIdsFor(f.kind, deps, f.env);
      f.logger.info({ checks: checkIds ?? 'default' }, 'alert diagnosis started');
      const signal = deps.interrupted?.();
      const ran = await unlessInterrupted(this.runChecks(f, checkIds, signal), signal);
      if (ran === 'interrupted') return await this.interrupted(f);
      const report = ran.value;
      const render = { ...deps.render, ...(await this.fixes(f, report)) };
      const message = renderDiagnosisReply(report, { alertname: f.alertname, checks: checkIds ?? 'all' }, render);
      posting = true;
      const posted = await this.reply(f.thread, message, f.postpone, f.key);
      if (!posted) {
        // Kept for later: the cooldown stays claimed (a repeat links to this thread) until the incident ends.
        f.logger.warn('Slack refused the alert diagnosis; it is kept and will be posted once Slack takes it');
        return 'queued';
      }
      // Where the platform says it landed (a Teams reply lives in its thread's conversation).
      const diagnosis = { channel: posted.channel, ts: posted.ts };
      await this.rememberFixes(f, diagnosis, message);
      await this.recordDiagnosis(f, { ...incident, diagnosis, message });
      const findings = report.findings.map((x) => x.id);
      f.logger.info({ durationMs: report.durationMs, findings, diagnosis }, 'alert diagnosis posted');
      return 'diagnosed';
    } catch (err) {
      return this.failed(f, err, posting);
    }
  }

  /** The report of the alert's checks: run here, or the one run for another platform (see SharedDiagnoses). */
  private async runChecks(f: Firing, checkIds: string[] | undefined, signal: AbortSignal | undefined) {
    const { deps } = this;
    const run = () => runDiagnosis(deps, { envName: f.env, ...(checkIds ? { checkIds } : {}) });
    const limited = () => (deps.limit ? deps.limit(run, f.env) : run());
    if (!deps.shared) return limited();
    const req = { env: f.env, checkIds, logger: f.logger, ...(signal ? { signal } : {}) };
    const { report, ran } = await deps.shared.report(req, limited);
    if (!ran)
      f.logger.info(
        { startedAt: report.startedAt },
        'alert diagnosis shared with another platform (the checks ran once)',
      );
    return report;
  }

  /**
   * The fix buttons of the report, as a slash report offers them; when they cannot be worked out the report
   * says why instead (an unavailable entry), so an alert thread never silently lacks them.
   */
  private async fixes(f: Firing, report: Report): Promise<{ remediation?: ReportActions }> {
    const actions = this.deps.reportActions;
    if (!actions) return {};
    try {
      return { remediation: await actions(report.environment, report.findings) };
    } catch (err) {
      f.logger.warn({ err }, 'could not work out the fix buttons of an alert diagnosis');
      const why = describeError(err, f.logger, 'the fix buttons of an alert diagnosis').message;
      return { remediation: { buttons: [], unavailable: [{ action: 'fixes', title: 'Fix buttons', why }] } };
    }
  }

  /** A posted diagnosis with fix buttons is kept (best effort), so the fix applied from it can mark it. */
  private async rememberFixes(f: Firing, ref: MessageRef, message: Message): Promise<void> {
    const remember = this.deps.rememberReport;
    const fixes = message.blocks.some(
      (b) => b.kind === 'actions' && b.actions.some((a) => a.command.startsWith('fix:')),
    );
    if (!remember || !fixes) return;
    await remember(ref, message).catch((err: unknown) => {
      f.logger.warn({ err }, 'could not keep the alert diagnosis for its fixes; an applied fix will not mark it');
    });
  }

  /** Links the cooldown and the incident to the posted diagnosis, unless the incident resolved meanwhile. */
  private async recordDiagnosis(f: Firing, incident: IncidentRef & { diagnosis: MessageRef; message: Message }) {
    const { cooldowns } = this.deps;
    if (await cooldowns.incident(f.alertname, f.env)) {
      await cooldowns.complete(f.alertname, f.env, {
        thread: f.thread,
        at: f.startedAt,
        diagnosis: incident.diagnosis,
      });
      await cooldowns.saveIncident(f.alertname, f.env, incident);
    } else {
      // Resolved while the checks ran: the incident is closed and stays closed, and its cooldown ends
      // with it, so the next firing is a new incident with a diagnosis of its own.
      await cooldowns.release(f.alertname, f.env);
    }
  }

  /** A restart cut the diagnosis short: the next firing tries again, and the thread says so. */
  private async interrupted(f: Firing): Promise<FiringOutcome> {
    // The next firing should try again rather than link to nothing.
    await this.deps.cooldowns.release(f.alertname, f.env).catch(() => undefined);
    f.logger.warn('alert diagnosis interrupted by a restart');
    const note = interruptedNote(f.alertname, f.env, this.deps.invocation ?? '/session-ttl');
    return this.reply(f.thread, note).then(
      () => 'interrupted' as const,
      (replyErr: unknown) => {
        f.logger.error({ err: replyErr }, 'could not say in the thread that the diagnosis was interrupted');
        return 'interrupted' as const;
      },
    );
  }

  private async failed(f: Firing, err: unknown, posting: boolean): Promise<FiringOutcome> {
    // The next firing should try again rather than link to nothing.
    await this.deps.cooldowns.release(f.alertname, f.env).catch(() => undefined);
    if (posting) {
      // The report is ready but Slack refused it through its retries: the caller tries again later.
      f.logger.error({ err }, 'could not post the alert diagnosis; it will be tried again');
      return 'undelivered';
    }
    const d = describeError(err, f.logger, 'an alert diagnosis');
    return this.reply(f.thread, failureNote(d), f.postpone, f.key).then(
      () => 'failed' as const,
      (replyErr: unknown) => {
        f.logger.error({ err: replyErr }, 'could not post the diagnosis failure in the thread; it will be tried again');
        return 'undelivered' as const;
      },
    );
  }

  async resolved(alert: AlertInThread & { resolvedAt: number }): Promise<ResolvedOutcome> {
    const { kind, env, thread, resolvedAt, postpone } = alert;
    const { cooldowns } = this.deps;
    const alertname = kind.alertname;
    const logger = (alert.logger ?? this.deps.logger).child({ alertname, env });
    const incident = await cooldowns.closeIncident(alertname, env);
    // The cooldown belongs to the incident: firing again after this is a new incident, not a repeat.
    await cooldowns.release(alertname, env);
    // And so does its diagnosis: the next firing reads the environment again, for every platform.
    await this.deps.shared?.forget(env, checkIdsFor(kind, this.deps, env));
    if (!incident) {
      logger.info('resolved alert without an open incident; nothing to update');
      return 'no_incident';
    }
    const durationMs = resolvedAt - incident.firedAt;
    let diagnosisUrl: string | undefined;
    if (incident.diagnosis && incident.message) {
      try {
        const diagnosis = { ...incident.diagnosis, threadTs: incident.thread.ts };
        await this.deps.chat.update({ ...diagnosis, message: markResolved(incident.message, durationMs) });
        diagnosisUrl = await this.linkTo(incident.diagnosis, incident.thread.ts);
      } catch (err) {
        logger.warn({ err }, 'could not mark the diagnosis resolved');
      }
    }
    const message = renderResolvedReply({ alertname, env, durationMs, ...(diagnosisUrl ? { diagnosisUrl } : {}) });
    await this.reply(thread, message, postpone);
    logger.info({ durationMs }, 'alert resolved');
    return 'resolved';
  }

  async askForMapping(
    thread: MessageRef,
    input: MappingRequestInput,
    logger: Logger = this.deps.logger,
    postpone?: Postpone,
  ): Promise<void> {
    await this.reply(thread, renderMappingRequest(input), postpone);
    logger.info({ alertnames: input.alertnames, seen: input.seen }, 'asked for an environment mapping');
  }
}
