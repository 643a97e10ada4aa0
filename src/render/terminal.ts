import type { Block, Inline, Message, Span } from '../core/message.js';
import type { Finding, Report, Severity } from '../diagnostics/types.js';
import { reportMessage } from './report-message.js';
import { ICON_TEXT, SGR, stripControls, TONE_SGR } from './terminal-style.js';
import type { ManagedFix } from '../remediation/managed/managed-fix.js';

export interface TerminalRenderOptions {
  /** ANSI colours; the CLI turns them on only when stdout is a TTY (and NO_COLOR is unset). */
  color: boolean;
}

type Paint = (sgr: string | undefined, text: string) => string;

function span(s: Span, paint: Paint): string {
  if ('icon' in s) return paint(ICON_TEXT[s.icon].sgr, ICON_TEXT[s.icon].text);
  if ('mentionGroup' in s) return `@${stripControls(s.mentionGroup)}`;
  if ('mentionUser' in s) return `@${stripControls(s.mentionUser)}`;
  if ('mentionChannel' in s) return `#${stripControls(s.mentionChannel)}`;
  const text = stripControls(s.text);
  if (s.link) return text === s.link ? stripControls(s.link) : `${text} (${stripControls(s.link)})`;
  return s.bold ? paint(SGR.bold, text) : s.italic ? paint(SGR.dim, text) : text;
}

const inline = (spans: Inline, paint: Paint) => spans.map((s) => span(s, paint)).join('');

/** Continuation lines of a block are indented under its first line. */
const indent = (text: string, by = '  ') => text.split('\n').map((l, i) => (i ? by + l : l));

function lines(b: Block, paint: Paint): string[] {
  switch (b.kind) {
    case 'header': {
      const lead = b.lead
        ? `${span({ icon: b.lead.icon }, paint)} ${b.lead.note ? `${stripControls(b.lead.note)} · ` : ''}`
        : '';
      const status = b.status ? `  ${paint(b.tone ? TONE_SGR[b.tone] : undefined, stripControls(b.status.label))}` : '';
      return [`${lead}${paint(SGR.bold, stripControls(b.text))}${status}`];
    }
    case 'section': {
      const out = b.text.length ? indent(inline(b.text, paint)) : [];
      const fields = b.fields ?? [];
      const width = Math.max(0, ...fields.map((f) => stripControls(f.label).length));
      for (const f of fields) out.push(`  ${stripControls(f.label).padEnd(width)}  ${inline(f.value, paint)}`);
      return out;
    }
    case 'preformatted':
      return b.lines.map((l) => `  ${stripControls(l)}`);
    case 'context':
      return b.items.flatMap((item) => indent(inline(item, paint)));
    case 'divider':
      return ['─'.repeat(40)];
    case 'actions':
      // A button is a command; in a terminal it is the command to type.
      return [
        `${paint(SGR.dim, 'Next:')} ${b.actions.map((a) => stripControls(`session-ttl ${a.command} ${a.ref}`)).join(' · ')}`,
      ];
  }
}

/**
 * Renders a neutral message for a terminal: blocks separated by blank lines, a chart right under its
 * section, buttons as the commands to type. Every string is stripped of control characters; ANSI
 * colours only with `color`. Pure: same message in, same text out.
 */
export function toTerminal(message: Message, opts: TerminalRenderOptions): string {
  const paint: Paint = (sgr, text) => (opts.color && sgr && text ? `\x1b[${sgr}m${text}\x1b[0m` : text);
  const out: string[] = [];
  for (const b of message.blocks) {
    if (out.length && b.kind !== 'preformatted') out.push('');
    out.push(...lines(b, paint));
  }
  return `${out.join('\n')}\n`;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** One line summing the report up, e.g. "2 critical, 3 warnings, 1 info". */
export function severityCounts(findings: readonly Finding[]): string {
  const by = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return `${by('critical')} critical, ${count(by('warning'), 'warning')}, ${by('info')} info`;
}

/**
 * Renders a report for a terminal: `toTerminal(reportMessage(report))`, with a wider chart and, on a managed
 * service, the provider's steps for the fixes the bot leaves to it (`managed`). Pure.
 */
export function renderReportText(
  report: Report,
  opts: TerminalRenderOptions,
  managed: readonly ManagedFix[] = [],
): string {
  const remediation = managed.length ? { remediation: { buttons: [], unavailable: [], managed } } : {};
  return toTerminal(reportMessage(report, { chartWidth: 30, maxEvidenceEntries: 8, ...remediation }), opts);
}
