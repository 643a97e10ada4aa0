import type { types } from '@slack/bolt';
import { z } from 'zod';
import { worstSeverity } from '../../diagnostics/engine.js';
import type { CheckStatus, CheckSummary, Finding, Report, Severity } from '../../diagnostics/types.js';
import { renderBarChart } from '../../render/bar-chart.js';
import { evidencePairs } from '../../render/evidence.js';
import { scenarioHeadline } from '../../render/scenario-headline.js';

export type KnownBlock = types.KnownBlock;

/** A message ready for chat.postMessage: Block Kit plus the plain-text fallback (notifications, old clients). */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

export interface RenderOptions {
  /** Slack's limit is 50 blocks per message. */
  maxBlocks?: number;
  /** Slack's limit is 3000 characters per section text. */
  maxSectionChars?: number;
  /** Width of the TTL distribution bars, in characters. */
  chartWidth?: number;
  /** Evidence entries shown per finding. */
  maxEvidenceEntries?: number;
}

/** Slack's limits (https://docs.slack.dev/reference/block-kit/blocks). */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextText: 2000,
  blockId: 255,
} as const;

export const SEVERITY_EMOJI: Record<Severity, string> = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  info: ':large_blue_circle:',
};

const STATUS_EMOJI: Record<CheckStatus, string> = {
  ok: ':white_check_mark:',
  findings: ':mag:',
  error: ':x:',
  skipped: ':fast_forward:',
};

const bucketsSchema = z.array(z.object({ label: z.string(), count: z.number() })).min(1);

/** Escapes the three characters Slack's mrkdwn treats as control (`<!channel>`, links, entities). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Cuts `text` to at most `max` characters, ending with `…`, without splitting an `&amp;` entity. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, Math.max(0, max - 1));
  cut = cut.replace(/&[a-z]{0,4}$/, '');
  return `${cut}…`;
}

/** Overall status of a report: the worst severity, `incomplete` when a check failed, else `healthy`. */
export function overallStatus(report: Report): Severity | 'incomplete' | 'healthy' {
  const worst = worstSeverity(report);
  if (worst) return worst;
  return report.checks.some((c) => c.status === 'error') ? 'incomplete' : 'healthy';
}

const STATUS_LABEL: Record<ReturnType<typeof overallStatus>, string> = {
  critical: ':red_circle: CRITICAL',
  warning: ':large_orange_circle: WARNING',
  info: ':large_blue_circle: INFO',
  incomplete: ':grey_question: INCOMPLETE',
  healthy: ':white_check_mark: HEALTHY',
};

function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function evidenceLines(finding: Finding, maxEntries: number): string[] {
  const pairs = evidencePairs(finding.evidence, maxEntries);
  const lines = pairs.map((p) => `• ${escapeMrkdwn(truncate(p, 200))}`);
  const total = Object.keys(finding.evidence).filter((k) => k !== 'buckets').length;
  if (total > pairs.length) lines.push(`• _+${total - pairs.length} more in the JSON report_`);
  return lines;
}

function chartLines(finding: Finding, width: number): string[] | undefined {
  if (finding.id !== 'ttl.distribution') return undefined;
  const buckets = bucketsSchema.safeParse(finding.evidence.buckets);
  if (!buckets.success) return undefined;
  return renderBarChart(buckets.data.slice(0, 24), { width }).map((l) => escapeMrkdwn(l));
}

/** The on-call user group to mention on a severe escalation; only a well-formed id becomes markup. */
function mention(finding: Finding): string {
  const group = finding.evidence.onCallUserGroup;
  return finding.id === 'escalation.severe' && typeof group === 'string' && /^S[A-Z0-9]{2,20}$/.test(group)
    ? `<!subteam^${group}> `
    : '';
}

function findingText(finding: Finding, o: Required<RenderOptions>): string {
  const head = `${mention(finding)}${SEVERITY_EMOJI[finding.severity]} *${escapeMrkdwn(truncate(finding.title, 200))}*  \`${escapeMrkdwn(truncate(finding.id, 80))}\``;
  const chart = chartLines(finding, o.chartWidth);
  const evidence = evidenceLines(finding, o.maxEvidenceEntries);
  const fix = finding.fix ? `*Fix:* ${escapeMrkdwn(truncate(finding.fix, 600))}` : '';
  const tail = [chart ? `\`\`\`${chart.join('\n')}\`\`\`` : '', evidence.join('\n'), fix].filter(Boolean).join('\n');
  // The detail gets whatever room the other parts leave, so a long detail never pushes out the fix.
  const room = o.maxSectionChars - head.length - tail.length - 4;
  const detail = room > 20 ? truncate(escapeMrkdwn(finding.detail), room) : '';
  return truncate([head, detail, tail].filter(Boolean).join('\n'), o.maxSectionChars);
}

function checkLine(c: CheckSummary): string {
  const note = c.message ? ` (${truncate(c.message, 160)})` : '';
  return `${STATUS_EMOJI[c.status]} \`${c.id}\` ${c.status} ${formatDuration(c.durationMs)}${escapeMrkdwn(note)}`;
}

function countLine(findings: readonly Finding[]): string {
  const counts: Record<Severity, number> = { critical: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity] += 1;
  const parts = (Object.keys(counts) as Severity[]).filter((s) => counts[s]).map((s) => `${counts[s]} ${s}`);
  return parts.length ? parts.join(', ') : 'no findings';
}

/**
 * Renders a diagnosis report as a Slack message: a header with the environment and overall status, one
 * section per finding (`block_id` `finding:<id>`), and a context line with each check's status and
 * timing. Stays inside Block Kit's limits: past the block budget the remaining findings are counted in
 * an "and N more findings" line; long texts are cut with `…`. Pure: same report, same message.
 *
 * @example
 * const { text, blocks } = renderReportMessage(report);
 * await client.chat.postMessage({ channel, text, blocks });
 */
export function renderReportMessage(report: Report, opts: RenderOptions = {}): SlackMessage {
  const o: Required<RenderOptions> = {
    maxBlocks: Math.min(opts.maxBlocks ?? SLACK_LIMITS.blocks, SLACK_LIMITS.blocks),
    maxSectionChars: Math.min(opts.maxSectionChars ?? SLACK_LIMITS.sectionText, SLACK_LIMITS.sectionText),
    chartWidth: opts.chartWidth ?? 20,
    maxEvidenceEntries: opts.maxEvidenceEntries ?? 6,
  };
  const status = overallStatus(report);
  const blocks: KnownBlock[] = [];

  blocks.push({
    type: 'header',
    text: {
      type: 'plain_text',
      text: truncate(`Session TTL diagnosis: ${report.environment} ${STATUS_LABEL[status]}`, SLACK_LIMITS.headerText),
      emoji: true,
    },
  });
  const headline = scenarioHeadline(report);
  blocks.push({
    type: 'section',
    block_id: 'scenarios',
    text: {
      type: 'mrkdwn',
      text: truncate(
        [
          `${headline.healthy ? ':white_check_mark:' : ':mag:'} *${escapeMrkdwn(headline.text)}*`,
          ...headline.fix.map((step, i) => `${i + 1}. ${escapeMrkdwn(step)}`),
          headline.alsoConsider.length ? `_Also consider: ${escapeMrkdwn(headline.alsoConsider.join('; '))}_` : '',
        ]
          .filter(Boolean)
          .join('\n'),
        o.maxSectionChars,
      ),
    },
  });
  blocks.push({
    type: 'section',
    block_id: 'summary',
    text: {
      type: 'mrkdwn',
      text: truncate(
        `*${countLine(report.findings)}* from ${report.checks.length} check${report.checks.length === 1 ? '' : 's'} in ${formatDuration(report.durationMs)} (started ${escapeMrkdwn(report.startedAt)})`,
        o.maxSectionChars,
      ),
    },
  });

  // Header, summary and context are fixed; one more block is kept for "and N more" when it is needed.
  const fixed = blocks.length + 1;
  const budget = o.maxBlocks - fixed;
  const shown = report.findings.length <= budget ? report.findings : report.findings.slice(0, Math.max(0, budget - 1));
  const usedIds = new Map<string, number>();
  for (const finding of shown) {
    const base = `finding:${finding.id}`.slice(0, SLACK_LIMITS.blockId - 6);
    const n = (usedIds.get(base) ?? 0) + 1;
    usedIds.set(base, n);
    blocks.push({
      type: 'section',
      // block_id must be unique within a message; a repeated finding id gets a suffix.
      block_id: n === 1 ? base : `${base}:${n}`,
      text: { type: 'mrkdwn', text: findingText(finding, o) },
    });
  }
  const hidden = report.findings.slice(shown.length);
  if (hidden.length) {
    blocks.push({
      type: 'section',
      block_id: 'more-findings',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `…and ${hidden.length} more finding${hidden.length === 1 ? '' : 's'} (${countLine(hidden)}). Run \`session-ttl diagnose ${escapeMrkdwn(report.environment)} --json\` for the full report.`,
          o.maxSectionChars,
        ),
      },
    });
  }
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: truncate(report.checks.map(checkLine).join('  ·  ') || 'no checks ran', SLACK_LIMITS.contextText) }],
  });

  const titles = report.findings.slice(0, 10).map((f) => `[${f.severity}] ${f.title}`);
  const more = report.findings.length > 10 ? ` (+${report.findings.length - 10} more)` : '';
  const text = truncate(
    escapeMrkdwn(
      `Session TTL diagnosis for ${report.environment}: ${status}, ${countLine(report.findings)}. ${headline.text.replace(/\.$/, '')}.${titles.length ? ` ${titles.join('; ')}${more}` : ''}`,
    ),
    1000,
  );
  return { text, blocks };
}
