import { z } from 'zod';
import { durationMs } from '../core/format.js';
import { clip, t, type Action, type Block, type Inline, type Message, type Span } from '../core/message.js';
import type { CheckSummary, Finding, Report } from '../diagnostics/types.js';
import type { ManagedFix } from '../remediation/managed/managed-fix.js';
import { renderBarChart } from './bar-chart.js';
import { providerStepsBlock } from './provider-steps.js';
import { evidenceSummary } from './evidence.js';
import { countLine, overallStatus, type OverallStatus } from './report-status.js';
import { notCheckedLead, scenarioHeadline } from './scenario-headline.js';
import { ttlDistribution } from '../diagnostics/checks/ttl-sample.findings.js';

export interface ReportMessageOptions {
  /** Width of the TTL distribution bars, in characters. */
  chartWidth?: number;
  /** Plain evidence pairs shown per finding (default 4); JSON blobs and the rest are left to the JSON report. */
  maxEvidenceEntries?: number;
  /** The fix buttons the bot could perform, and the actions it could not (with why). */
  remediation?: {
    buttons: readonly Action[];
    unavailable: readonly { title: string; why: string }[];
    /** Actions a managed service (`redis.provider`) leaves to its own steps: shown under the first finding each answers. */
    managed?: readonly ManagedFix[];
  };
  /** Who asked for the report (a user id), shown under it. */
  requestedBy?: string;
  /**
   * Whom to call on a severe escalation, supplied by the front end that renders the report (Slack: the
   * on-call user group, `slack.onCallUserGroup`); shown in front of `escalation.severe`.
   */
  onCall?: Span;
}

/** Who asked, and the fixes the bot could not offer with why (a missing permission, no admin credentials). */
function remediationNotes(o: ReportMessageOptions): Block[] {
  const items: Inline[] = [];
  if (o.requestedBy) items.push([t('Requested by '), { mentionUser: o.requestedBy }]);
  for (const u of o.remediation?.unavailable ?? [])
    items.push([{ icon: 'skipped' }, t(` ${u.title}: not offered (${u.why})`)]);
  return items.length ? [{ kind: 'context', id: 'remediation-notes', items }] : [];
}

const sentence = (text: string) => text.replace(/\.$/, '');

const bucketsSchema = z.array(z.object({ label: z.string(), count: z.number() })).min(1);

// A detail is a paragraph; the JSON report has the rest. Capped here so no renderer has to choose
// between the detail and the fix that follows it.
const MAX_DETAIL = 1500;

// The evidence line stays one short line whatever number of pairs a renderer asks for.
const MAX_EVIDENCE_LINE = 120;

/** One folded line: the first plain pairs that fit, and how many more the JSON report holds. */
function evidenceSpans(finding: Finding, maxEntries: number): Span[] {
  const summary = evidenceSummary(finding.evidence, maxEntries);
  const shown: string[] = [];
  for (const pair of summary.pairs.map((p) => clip(p, 80))) {
    if (shown.length && [...shown, pair].join(' · ').length > MAX_EVIDENCE_LINE) break;
    shown.push(pair);
  }
  const omitted = summary.omitted + summary.pairs.length - shown.length;
  if (!shown.length && !omitted) return [];
  const more = omitted ? `${shown.length ? ' · ' : ''}+${omitted} more in the JSON report` : '';
  // Only the label is styled: values (SESSION_TTL_SECONDS) carry characters that would end a style early.
  return [t('\n'), t('Evidence:', { italic: true }), t(` ${shown.join(' · ')}${more}`)];
}

/**
 * A finding: what it is, why it matters, what to do, then the numbers folded into one line. The detail
 * and the fix are for people; raw evidence is for the JSON report.
 */
function findingBlocks(
  finding: Finding,
  o: { chartWidth: number; maxEvidenceEntries: number; onCall?: Span | undefined },
): Block[] {
  const mention: Span[] = finding.id === 'escalation.severe' && o.onCall ? [o.onCall, t(' ')] : [];
  const text: Span[] = [
    ...mention,
    { icon: finding.severity },
    t(' '),
    t(clip(finding.title, 200), { bold: true }),
    t('  '),
    t(clip(finding.id, 80), { code: true }),
    ...(finding.detail ? [t(`\n${clip(finding.detail, MAX_DETAIL)}`)] : []),
    ...(finding.fix ? [t('\n'), t('Fix:', { bold: true }), t(` ${clip(finding.fix, 600)}`)] : []),
  ];
  const evidence = evidenceSpans(finding, o.maxEvidenceEntries);
  const collapse = { tag: finding.severity, ...(evidence.length ? { foldAt: text.length } : {}) };
  const blocks: Block[] = [{ kind: 'section', id: `finding:${finding.id}`, text: [...text, ...evidence], collapse }];
  // Only the buckets are read, so a partial evidence (a report from another version) still draws its chart.
  const buckets = finding.id === ttlDistribution.id ? bucketsSchema.safeParse(finding.evidence.buckets) : undefined;
  if (buckets?.success) {
    blocks.push({
      kind: 'preformatted',
      id: `chart:${finding.id}`,
      lines: renderBarChart(buckets.data.slice(0, 24), { width: o.chartWidth }),
      collapse: {},
    });
  }
  return blocks;
}

/** Each finding's blocks, each managed service's steps right after the first finding they answer (else after all). */
function findingsWithSteps(report: Report, o: Parameters<typeof findingBlocks>[1], managed: readonly ManagedFix[]) {
  const placed = new Set<ManagedFix>();
  const blocks = report.findings.flatMap((f) => {
    const here = managed.filter((m) => !placed.has(m) && m.findings.includes(f.id));
    for (const m of here) placed.add(m);
    return [...findingBlocks(f, o), ...here.map(providerStepsBlock)];
  });
  return [...blocks, ...managed.filter((m) => !placed.has(m)).map(providerStepsBlock)];
}

function checkItem(c: CheckSummary): Inline {
  const note = c.message ? ` (${clip(c.message, 160)})` : '';
  return [{ icon: c.status }, t(' '), t(c.id, { code: true }), t(` ${c.status} ${durationMs(c.durationMs)}${note}`)];
}

/**
 * What could not be checked and why, before any scenario: a failed source in the adapter's words
 * ("Redis at 10.0.0.5:6379 is unreachable: it refused the connection (ECONNREFUSED)"), then the checks
 * that failed or timed out. Absent when every check ran.
 */
function notCheckedSection(report: Report): Block[] {
  const lead = notCheckedLead(report);
  const text: Span[] = [];
  for (const s of lead.sources) {
    if (text.length) text.push(t('\n'));
    text.push({ icon: s.finding.severity }, t(' '), t(`${clip(s.text, 300)}.`, { bold: true }));
  }
  if (lead.notChecked) {
    if (text.length) text.push(t('\n'));
    text.push(
      { icon: 'incomplete' },
      t(' '),
      t(clip(lead.notChecked, 1200), lead.sources.length ? {} : { bold: true }),
    );
  }
  return text.length ? [{ kind: 'section', id: 'not-checked', text }] : [];
}

function scenarioSection(report: Report): Block {
  const headline = scenarioHeadline(report);
  const icon = headline.healthy ? 'ok' : headline.fix.length ? 'findings' : 'incomplete';
  const text: Span[] = [{ icon }, t(' '), t(headline.text, { bold: true })];
  headline.fix.forEach((step, i) => text.push(t(`\n${i + 1}. ${step}`)));
  if (headline.alsoConsider.length)
    text.push(t('\n'), t(`Also consider: ${headline.alsoConsider.join('; ')}`, { italic: true }));
  if (!headline.healthy && report.scenarios.length) {
    const ranked = report.scenarios.map((s) => `${s.scenario} ${s.likelihood.replace('_', ' ')}`).join(' · ');
    text.push(t('\n'), t(`Scenarios: ${ranked}`, { italic: true }));
  }
  return { kind: 'section', id: 'scenarios', text };
}

/**
 * The fallback's opening: "3 critical, 1 info", with the status in front only when the counts do not
 * already say it ("incomplete, 1 info", "healthy, no findings").
 */
function statusPhrase(status: OverallStatus, report: Report): string {
  const counts = countLine(report.findings);
  return report.findings.some((f) => f.severity === status) ? counts : `${status}, ${counts}`;
}

/** The plain-text fallback: status, what was not checked, the scenario, then the finding titles. */
function fallbackText(report: Report, status: OverallStatus): string {
  const lead = notCheckedLead(report);
  const opening = [
    ...lead.sources.map((s) => s.text),
    ...(lead.notChecked ? [sentence(lead.notChecked)] : []),
    sentence(scenarioHeadline(report).text),
  ];
  const titles = report.findings.slice(0, 10).map((f) => `[${f.severity}] ${f.title}`);
  const more = report.findings.length > 10 ? ` (+${report.findings.length - 10} more)` : '';
  const listed = titles.length ? ` ${titles.join('; ')}${more}` : '';
  return `Session TTL diagnosis for ${report.environment}: ${statusPhrase(status, report)}. ${opening.join('. ')}.${listed}`;
}

/**
 * A diagnosis report as a platform-neutral message, what to do first: a header with the environment and
 * overall status (INCOMPLETE when a check failed or timed out and nothing is critical), what could not
 * be checked and why (a failed source leads, in the adapter's words), the runbook scenario the evidence
 * points to with its fix, a summary line, one section per finding (id `finding:<id>`, collapsible:
 * title, detail, fix, then the evidence folded into one line), the TTL distribution chart, Re-run and
 * Verify buttons and a context line with each check's status and timing. Pure: same report, same message.
 *
 * @example
 * const { text, blocks } = toBlockKit(reportMessage(report));
 * process.stdout.write(toTerminal(reportMessage(report), { color: false }));
 */
export function reportMessage(report: Report, opts: ReportMessageOptions = {}): Message {
  const o = { ...opts, chartWidth: opts.chartWidth ?? 20, maxEvidenceEntries: opts.maxEvidenceEntries ?? 4 };
  const status = overallStatus(report);
  const env = report.environment;
  const checks = report.checks.length;
  const blocks: Block[] = [
    {
      kind: 'header',
      text: `Session TTL diagnosis: ${env}`,
      tone: status,
      status: { icon: status, label: status.toUpperCase() },
    },
    ...notCheckedSection(report),
    scenarioSection(report),
    {
      kind: 'section',
      id: 'summary',
      text: [
        t(countLine(report.findings), { bold: true }),
        t(
          ` from ${checks} check${checks === 1 ? '' : 's'} in ${durationMs(report.durationMs)} (started ${report.startedAt})`,
        ),
      ],
    },
    ...findingsWithSteps(report, o, o.remediation?.managed ?? []),
    // Fix buttons first; Re-run and Verify are on every report. A safe button's ref is the environment and
    // the click re-enters the command; a fix button's ref is an opaque offer id.
    {
      kind: 'actions',
      id: 'actions',
      actions: [
        ...(o.remediation?.buttons ?? []),
        { command: 'diagnose', label: 'Re-run', ref: env },
        { command: 'verify', label: 'Verify', ref: env },
      ],
    },
    ...remediationNotes(o),
    { kind: 'context', items: report.checks.length ? report.checks.map(checkItem) : [[t('no checks ran')]] },
  ];
  return {
    text: fallbackText(report, status),
    blocks,
    overflow: {
      id: 'more-findings',
      noun: 'finding',
      hint: [t('Run '), t(`session-ttl diagnose ${env} --json`, { code: true }), t(' for the full report.')],
    },
  };
}
