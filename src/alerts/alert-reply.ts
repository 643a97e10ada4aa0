import type { Report } from '../diagnostics/types.js';
import {
  escapeMrkdwn,
  renderReportMessage,
  SLACK_LIMITS,
  truncate,
  type KnownBlock,
  type RenderOptions,
  type SlackMessage,
} from '../slack/render/report-blocks.js';

// Thread replies of the alert listener and the Alertmanager webhook. Pure: data in, Block Kit out.

/** `45 s`, `23 min`, `2 h 5 min`, `3 d 4 h`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.floor(min / 60);
  if (h < 24) return min % 60 ? `${h} h ${min % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/**
 * A link to a message built from its channel and ts, for when chat.getPermalink gives none.
 * slack.com/archives links open the message in whichever workspace the reader is signed in to.
 */
export function messageLink(ref: { channel: string; ts: string; threadTs?: string }): string {
  const base = `https://slack.com/archives/${encodeURIComponent(ref.channel)}/p${ref.ts.replace('.', '')}`;
  return ref.threadTs && ref.threadTs !== ref.ts
    ? `${base}?thread_ts=${encodeURIComponent(ref.threadTs)}&cid=${encodeURIComponent(ref.channel)}`
    : base;
}

/** A Slack link `<url|label>`; the url must not contain `|` or `>`. */
function link(url: string, label: string): string {
  return `<${url.replace(/[|>]/g, encodeURIComponent)}|${escapeMrkdwn(label)}>`;
}

const section = (text: string, blockId?: string): KnownBlock => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: { type: 'mrkdwn', text: truncate(text, SLACK_LIMITS.sectionText) },
});

const code = (s: string) => `\`${escapeMrkdwn(truncate(s.replace(/`/g, "'"), 120))}\``;

export interface DiagnosisReplyInput {
  alertname: string;
  /** Check ids the alert asked for; `all` for the default set. */
  checks: readonly string[] | 'all';
}

/**
 * The diagnosis posted in an alert's thread: the report as `/session-ttl diagnose` shows it (header
 * first, `finding:<id>` sections, scenario ranking) with a context line saying which alert asked for it.
 */
export function renderDiagnosisReply(report: Report, input: DiagnosisReplyInput, opts: RenderOptions = {}): SlackMessage {
  const maxBlocks = Math.min(opts.maxBlocks ?? SLACK_LIMITS.blocks, SLACK_LIMITS.blocks) - 1;
  const message = renderReportMessage(report, { ...opts, maxBlocks });
  const checks = input.checks === 'all' ? 'the default checks' : input.checks.map((c) => `\`${escapeMrkdwn(c)}\``).join(', ');
  const context: KnownBlock = {
    type: 'context',
    block_id: 'alert-origin',
    elements: [
      {
        type: 'mrkdwn',
        text: truncate(
          `Automatic diagnosis for the alert ${code(input.alertname)} in *${escapeMrkdwn(report.environment)}*: ${checks}.`,
          SLACK_LIMITS.contextText,
        ),
      },
    ],
  };
  const [header, ...rest] = message.blocks;
  return { text: message.text, blocks: header ? [header, context, ...rest] : [context, ...rest] };
}

export interface CooldownReplyInput {
  alertname: string;
  env: string;
  /** Time since the earlier diagnosis started. */
  sinceMs: number;
  cooldownMinutes: number;
  /** Link to the earlier diagnosis (or to the thread where it is being written). */
  url: string;
  /** The earlier diagnosis is still running. */
  running: boolean;
}

/** The reply to an alert that fires again within the cooldown: a link instead of a second run. */
export function renderCooldownReply(i: CooldownReplyInput): SlackMessage {
  const what = i.running
    ? `A diagnosis of ${code(i.alertname)} in *${escapeMrkdwn(i.env)}* started ${formatElapsed(i.sinceMs)} ago and is still running: ${link(i.url, 'see its thread')}.`
    : `${code(i.alertname)} fired again in *${escapeMrkdwn(i.env)}* ${formatElapsed(i.sinceMs)} after my last diagnosis: ${link(i.url, 'earlier diagnosis')}.`;
  const text = `:repeat: ${what} I do not re-run within the ${i.cooldownMinutes}-minute cooldown; run \`/session-ttl diagnose ${escapeMrkdwn(i.env)}\` for a fresh one.`;
  return { text: truncate(text, 1000), blocks: [section(text, 'alert-cooldown')] };
}

export interface MappingRequestInput {
  alertnames: readonly string[];
  /** The label keys (and `groupValues`) looked at, with their values. */
  seen: Readonly<Record<string, string>>;
  labelKeys: readonly string[];
  environments: readonly string[];
}

/** The one reply to an alert whose environment cannot be determined: what was seen and how to map it. */
export function renderMappingRequest(i: MappingRequestInput): SlackMessage {
  const names = i.alertnames.map(code).join(', ');
  const seen = Object.entries(i.seen);
  const seenText = seen.length
    ? seen.map(([k, v]) => `${code(k)}=${code(v)}`).join(', ')
    : `none of the labels ${i.labelKeys.map(code).join(', ')}`;
  const example = seen.find(([k]) => k !== 'groupValues')?.[1] ?? seen[0]?.[1]?.split(' ')[0] ?? '<label value>';
  const text = [
    `:question: I could not tell which environment ${names} is about, so I did not diagnose it.`,
    `Labels I looked at: ${seenText}.`,
    `Configured environments: ${i.environments.map(code).join(', ')}. Map the label in the config under \`slack.alertRouting\`: \`labelKeys\` (checked in order: ${i.labelKeys.map(code).join(', ')}) and \`aliases\`, e.g. \`aliases: { ${escapeMrkdwn(truncate(example, 60))}: ${escapeMrkdwn(i.environments[0] ?? 'prod')} }\`.`,
  ].join('\n');
  return { text: truncate(text, 1000), blocks: [section(text, 'alert-mapping')] };
}

export interface ResolvedReplyInput {
  alertname: string;
  env: string;
  durationMs: number;
  /** The diagnosis posted while it fired, if any. */
  diagnosisUrl?: string;
}

/** The short thread reply when an alert resolves. */
export function renderResolvedReply(i: ResolvedReplyInput): SlackMessage {
  const text = `:white_check_mark: ${code(i.alertname)} in *${escapeMrkdwn(i.env)}* resolved after ${formatElapsed(i.durationMs)}.${
    i.diagnosisUrl ? ` ${link(i.diagnosisUrl, 'Diagnosis')} marked resolved.` : ''
  }`;
  return { text, blocks: [section(text, 'alert-resolved')] };
}

const RESOLVED_PREFIX = '✅ Resolved';

/** The diagnosis message with its header (and fallback text) prefixed `✅ Resolved after N min`. Idempotent. */
export function markResolved(message: SlackMessage, durationMs: number): SlackMessage {
  const prefix = `${RESOLVED_PREFIX} after ${formatElapsed(durationMs)} · `;
  const strip = (t: string) => (t.startsWith(RESOLVED_PREFIX) ? t.slice(t.indexOf(' · ') + 3) : t);
  const blocks = message.blocks.map((b, i) => {
    if (i !== 0 || b.type !== 'header') return b;
    return { ...b, text: { ...b.text, text: truncate(prefix + strip(b.text.text), SLACK_LIMITS.headerText) } };
  });
  return { text: truncate(prefix + strip(message.text), 1000), blocks };
}

export interface AlertGroupLine {
  alertname: string;
  status: 'firing' | 'resolved';
  /** The environment it maps to, if any. */
  env?: string;
  summary?: string;
}

export interface AlertGroupInput {
  status: 'firing' | 'resolved';
  alerts: readonly AlertGroupLine[];
  /** Alertmanager's external URL (a link in the context line). */
  externalUrl?: string;
  /** Set once the group resolved: how long it fired. */
  resolvedAfterMs?: number;
}

/** The channel message for one Alertmanager alert group; its thread holds the diagnoses. */
export function renderAlertGroupMessage(i: AlertGroupInput): SlackMessage {
  const firing = i.alerts.filter((a) => a.status === 'firing').length;
  const names = [...new Set(i.alerts.map((a) => a.alertname))];
  const title =
    i.status === 'resolved'
      ? `${RESOLVED_PREFIX}${i.resolvedAfterMs === undefined ? '' : ` after ${formatElapsed(i.resolvedAfterMs)}`} · ${names.join(', ')}`
      : `🔥 [FIRING:${firing}] ${names.join(', ')}`;
  const lines = i.alerts.slice(0, 20).map((a) => {
    const icon = a.status === 'firing' ? ':red_circle:' : ':white_check_mark:';
    const env = a.env ? `*${escapeMrkdwn(a.env)}*` : '_environment unknown_';
    const summary = a.summary ? ` — ${escapeMrkdwn(truncate(a.summary, 200))}` : '';
    return `${icon} ${code(a.alertname)} ${a.status} in ${env}${summary}`;
  });
  if (i.alerts.length > 20) lines.push(`…and ${i.alerts.length - 20} more`);
  const blocks: KnownBlock[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(title, SLACK_LIMITS.headerText), emoji: true } },
    section(lines.join('\n') || 'no alerts', 'alert-group'),
    {
      type: 'context',
      elements: [
        {
          type: 'mrkdwn',
          text: truncate(
            `From Alertmanager${i.externalUrl && /^https?:\/\//.test(i.externalUrl) ? ` (${link(i.externalUrl, 'open')})` : ''}. ${
              i.status === 'firing' ? 'The diagnosis follows in the thread.' : 'The thread holds the diagnosis.'
            }`,
            SLACK_LIMITS.contextText,
          ),
        },
      ],
    },
  ];
  return { text: truncate(title, 1000), blocks };
}
