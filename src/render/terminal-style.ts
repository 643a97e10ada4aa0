import type { Icon, Tone } from '../core/message.js';

// How the terminal draws icons and tones. Words for severities: emoji widths differ between terminals
// and fonts, and a log file or a pipe reads `CRITICAL` better than a coloured dot.

export const SGR = { bold: '1', dim: '2', red: '1;31', yellow: '33', cyan: '36', green: '1;32' } as const;

export const ICON_TEXT: Record<Icon, { text: string; sgr?: string }> = {
  critical: { text: 'CRITICAL', sgr: SGR.red },
  warning: { text: 'WARNING', sgr: SGR.yellow },
  info: { text: 'INFO', sgr: SGR.cyan },
  ok: { text: '✓', sgr: SGR.green },
  healthy: { text: '✓', sgr: SGR.green },
  resolved: { text: '✓', sgr: SGR.green },
  incomplete: { text: '?', sgr: SGR.yellow },
  findings: { text: '▸', sgr: SGR.bold },
  search: { text: '▸' },
  error: { text: '✗', sgr: SGR.red },
  skipped: { text: '–', sgr: SGR.dim },
  firing: { text: '!', sgr: SGR.red },
  hourglass: { text: '…' },
  link: { text: '↗' },
  repeat: { text: '↻' },
  question: { text: '?', sgr: SGR.yellow },
  fail: { text: '✗', sgr: SGR.red },
  caution: { text: '!', sgr: SGR.yellow },
};

export const TONE_SGR: Record<Tone, string | undefined> = {
  critical: SGR.red,
  warning: SGR.yellow,
  info: SGR.cyan,
  healthy: SGR.green,
  incomplete: SGR.yellow,
  neutral: undefined,
};

/**
 * Removes what a terminal would act on rather than show: C0/C1 controls (ESC starts colour, title and
 * hyperlink sequences; BEL, CR rewrite the screen) and bidi overrides that reorder what is shown.
 * Key names, alert labels and Redis replies are untrusted, so every string passes through here.
 */
export function stripControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}
