import { durationMs } from '../core/format.js';
import { clip, plainText, t, type Block, type Inline, type Message, type Span } from '../core/message.js';
import type { Report } from '../diagnostics/types.js';
import { reportMessage, type ReportMessageOptions } from '../render/report-message.js';

// Thread replies of the alert listener and the Alertmanager webhook, as neutral messages. Pure: data in,
// message out; the chat adapter renders them for its platform.

/**
 * How long ago, or for how long, in the one duration style. Never negative: the times come from
 * Slack's and Alertmanager's clocks, and a few seconds of skew must not read as `-3 s`.
 */
const elapsed = (ms: number) => durationMs(Math.max(0, ms));

/** Names from alert posts are shown in part: a post can carry anything. */
const code = (s: string): Span => t(clip(s, 120), { code: true });

/** A one-section reply; the section is also the formatted fallback (what the notification shows). */
function reply(id: string, text: Inline): Message {
  return { text: clip(plainText(text), 1000), summary: text, blocks: [{ kind: 'section', id, text }] };
}

/** `a, b, c` from inline pieces. */
function joined(items: readonly Span[], sep = ', '): Span[] {
  return items.flatMap((s, i) => (i ? [t(sep), s] : [s]));
}

export interface DiagnosisReplyInput {
  alertname: string;
  /** Check ids the alert asked for; `all` for the default set. */
  checks: readonly string[] | 'all';
}

/**
 * The diagnosis posted in an alert's thread: the report as `/session-ttl diagnose` shows it (header
 * first, `finding:<id>` sections, scenario ranking) with a context line saying which alert asked for it.
 */
export function renderDiagnosisReply(
  report: Report,
  input: DiagnosisReplyInput,
  opts: ReportMessageOptions = {},
): Message {
  const message = reportMessage(report, opts);
  const checks =
    input.checks === 'all' ? [t('the default checks')] : joined(input.checks.map((c) => t(c, { code: true })));
  const origin: Block = {
    kind: 'context',
    id: 'alert-origin',
    items: [
      [
        t('Automatic diagnosis for the alert '),
        code(input.alertname),
        t(' in '),
        t(report.environment, { bold: true }),
        t(': '),
        ...checks,
        t('.'),
      ],
    ],
  };
  const [header, ...rest] = message.blocks;
  return { ...message, blocks: header ? [header, origin, ...rest] : [origin] };
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
  /** How people type a command there (default `/session-ttl`). */
  invocation?: string;
}

/** The reply to an alert that fires again within the cooldown: a link instead of a second run. */
export function renderCooldownReply(i: CooldownReplyInput): Message {
  const env = t(i.env, { bold: true });
  const since = elapsed(i.sinceMs);
  const what: Span[] = i.running
    ? [
        t('A diagnosis of '),
        code(i.alertname),
        t(' in '),
        env,
        t(` started ${since} ago and is still running: `),
        t('see its thread', { link: i.url }),
        t('.'),
      ]
    : [
        code(i.alertname),
        t(' fired again in '),
        env,
        t(` ${since} after my last diagnosis: `),
        t('earlier diagnosis', { link: i.url }),
        t('.'),
      ];
  return reply('alert-cooldown', [
    { icon: 'repeat' },
    t(' '),
    ...what,
    t(` I do not re-run within the ${i.cooldownMinutes}-minute cooldown; run `),
    t(`${i.invocation ?? '/session-ttl'} diagnose ${i.env}`, { code: true }),
    t(' for a fresh one.'),
  ]);
}

export interface MappingRequestInput {
  alertnames: readonly string[];
  /** The label keys (and `groupValues`) looked at, with their values. */
  seen: Readonly<Record<string, string>>;
  labelKeys: readonly string[];
  environments: readonly string[];
}

/** The one reply to an alert whose environment cannot be determined: what was seen and how to map it. */
export function renderMappingRequest(i: MappingRequestInput): Message {
  const seen = Object.entries(i.seen);
  const keys = joined(i.labelKeys.map(code));
  const seenText: Span[] = seen.length
    ? seen.flatMap(([k, v], n) => [...(n ? [t(', ')] : []), code(k), t('='), code(v)])
    : [t('none of the labels '), ...keys];
  const example = seen.find(([k]) => k !== 'groupValues')?.[1] ?? seen[0]?.[1]?.split(' ')[0] ?? '<label value>';
  return reply('alert-mapping', [
    { icon: 'question' },
    t(' I could not tell which environment '),
    ...joined(i.alertnames.map(code)),
    t(' is about, so I did not diagnose it.\nLabels I looked at: '),
    ...seenText,
    t('.\nConfigured environments: '),
    ...joined(i.environments.map(code)),
    t('. Map the label in the config under '),
    t('alerts.routing', { code: true }),
    t(': '),
    t('labelKeys', { code: true }),
    t(' (checked in order: '),
    ...keys,
    t(') and '),
    t('aliases', { code: true }),
    t(', e.g. '),
    t(`aliases: { ${clip(example, 60)}: ${i.environments[0] ?? 'prod'} }`, { code: true }),
    t('.'),
  ]);
}

export interface ResolvedReplyInput {
  alertname: string;
  env: string;
  durationMs: number;
  /** The diagnosis posted while it fired, if any. */
  diagnosisUrl?: string;
}

/** The short thread reply when an alert resolves. */
export function renderResolvedReply(i: ResolvedReplyInput): Message {
  return reply('alert-resolved', [
    { icon: 'resolved' },
    t(' '),
    code(i.alertname),
    t(' in '),
    t(i.env, { bold: true }),
    t(` resolved after ${elapsed(i.durationMs)}.`),
    ...(i.diagnosisUrl ? [t(' '), t('Diagnosis', { link: i.diagnosisUrl }), t(' marked resolved.')] : []),
  ]);
}

const RESOLVED_PREFIX = '✅ Resolved';

/**
 * The diagnosis message with its header (and fallback text) marked `Resolved after N min`. Idempotent:
 * a second call replaces the first mark.
 */
export function markResolved(message: Message, durationMs: number): Message {
  const note = `Resolved after ${elapsed(durationMs)}`;
  const strip = (s: string) => (s.startsWith(RESOLVED_PREFIX) ? s.slice(s.indexOf(' · ') + 3) : s);
  const blocks = message.blocks.map((b, i): Block =>
    i === 0 && b.kind === 'header' ? { ...b, lead: { icon: 'resolved', note } } : b,
  );
  // The formatted fallback would not say it resolved; the plain text does.
  const { summary: _summary, ...rest } = message;
  return { ...rest, text: clip(`✅ ${note} · ${strip(message.text)}`, 1000), blocks };
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
export function renderAlertGroupMessage(i: AlertGroupInput): Message {
  const firing = i.alerts.filter((a) => a.status === 'firing').length;
  const names = [...new Set(i.alerts.map((a) => a.alertname))].join(', ');
  const note = `Resolved${i.resolvedAfterMs === undefined ? '' : ` after ${elapsed(i.resolvedAfterMs)}`}`;
  const header: Block =
    i.status === 'resolved'
      ? { kind: 'header', text: names, tone: 'healthy', lead: { icon: 'resolved', note } }
      : { kind: 'header', text: `[FIRING:${firing}] ${names}`, tone: 'critical', lead: { icon: 'firing' } };
  const lines: Span[] = i.alerts
    .slice(0, 20)
    .flatMap((a, n) => [
      ...(n ? [t('\n')] : []),
      { icon: a.status === 'firing' ? ('critical' as const) : ('resolved' as const) },
      t(' '),
      code(a.alertname),
      t(` ${a.status} in `),
      a.env ? t(a.env, { bold: true }) : t('environment unknown', { italic: true }),
      ...(a.summary ? [t(` — ${clip(a.summary, 200)}`)] : []),
    ]);
  if (i.alerts.length > 20) lines.push(t(`\n…and ${i.alerts.length - 20} more`));
  const source: Span[] =
    i.externalUrl && /^https?:\/\//.test(i.externalUrl)
      ? [t('From Alertmanager ('), t('open', { link: i.externalUrl }), t('). ')]
      : [t('From Alertmanager. ')];
  const title =
    i.status === 'resolved'
      ? `${RESOLVED_PREFIX}${note.slice('Resolved'.length)} · ${names}`
      : `🔥 [FIRING:${firing}] ${names}`;
  return {
    text: clip(title, 1000),
    blocks: [
      header,
      { kind: 'section', id: 'alert-group', text: lines.length ? lines : [t('no alerts')] },
      {
        kind: 'context',
        items: [
          [
            ...source,
            t(i.status === 'firing' ? 'The diagnosis follows in the thread.' : 'The thread holds the diagnosis.'),
          ],
        ],
      },
    ],
  };
}
