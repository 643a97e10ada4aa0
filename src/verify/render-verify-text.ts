import type { VerifyResult } from './verify-result.js';
import { verifyLines, VERDICT_LABEL } from './verify-lines.js';

export interface VerifyTextOptions {
  /** ANSI colours (the CLI turns them on only for a TTY without NO_COLOR). */
  color: boolean;
}

const COLOR = { pass: '\x1b[1;32m', fail: '\x1b[1;31m', error: '\x1b[1;33m' } as const;
const BOLD = '\x1b[1m';
const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

/** Renders a verification result for a terminal. Pure: same result in, same text out. */
export function renderVerifyText(r: VerifyResult, opts: VerifyTextOptions): string {
  const paint = (code: string, text: string) => (opts.color ? `${code}${text}${RESET}` : text);
  const out: string[] = [];
  out.push(
    `${paint(BOLD, `session-ttl verify: ${r.environment}`)}  ${paint(COLOR[r.verdict], VERDICT_LABEL[r.verdict])}  ` +
      paint(DIM, `(${r.mode === 'app' ? 'app API session' : 'canary key'}, ${(r.durationMs / 1000).toFixed(1)} s, ${r.startedAt})`),
  );
  out.push('');
  if (r.verdict === 'pass') {
    out.push(
      `Sessions keep their TTL: it decays at wall-clock rate and nothing evicted or deleted the ${r.mode === 'app' ? 'test session' : 'canary'}` +
        `${r.slidingWindowTested ? `; an access ${r.slidingWindow ? 'refreshes' : 'does not refresh'} it, as configured` : ''}.`,
    );
  }
  for (const reason of r.reasons) out.push(`${paint(COLOR[r.verdict], '✗')} ${reason}`);
  out.push('');
  const lines = verifyLines(r);
  const width = Math.max(...lines.map((l) => l.label.length));
  for (const l of lines) out.push(`  ${l.label.padEnd(width)}  ${l.value}`);
  if (r.notes.length) {
    out.push('');
    for (const n of r.notes) out.push(paint(DIM, `note: ${n}`));
  }
  return `${out.join('\n')}\n`;
}
