import { t, type Icon, type Message, type Tone } from '../core/message.js';
import { exactSeconds } from '../core/format.js';
import { progressText } from './progress-text.js';
import type { Verdict, VerifyProgress, VerifyResult } from './verify-result.js';
import { verifyHeadline, verifyLines, VERDICT_LABEL } from './verify-lines.js';

const VERDICT_ICON: Record<Verdict, Icon> = { pass: 'ok', fail: 'fail', error: 'caution' };
const VERDICT_TONE: Record<Verdict, Tone> = { pass: 'healthy', fail: 'critical', error: 'warning' };

/** The progress message (posted, then updated in place). Pure. */
export function verifyProgressMessage(p: VerifyProgress): Message {
  const text = progressText(p);
  return { text, blocks: [{ kind: 'section', id: 'verify-progress', text: [{ icon: 'hourglass' }, t(` ${text}`)] }] };
}

/**
 * The verdict as a neutral message: a header with the environment and PASS/FAIL/ERROR, the reasons
 * (or what a pass means), the measured numbers as fields and the notes. Pure: same result, same message.
 */
export function verifyMessage(r: VerifyResult): Message {
  const what = r.mode === 'app' ? 'test session' : 'canary';
  const icon = VERDICT_ICON[r.verdict];
  const verdict =
    r.verdict === 'pass'
      ? [
          { icon },
          t(
            ` The TTL decays at wall-clock rate and nothing evicted or deleted the ${what}${
              r.slidingWindowTested ? `; the sliding window behaves as configured (${r.slidingWindow ? 'on' : 'off'})` : ''
            }.`,
          ),
        ]
      : r.reasons.flatMap((reason, i) => [...(i ? [t('\n')] : []), { icon }, t(` ${reason}`)]);
  const made = r.mode === 'app' ? 'session created through the app API' : 'canary key written by the bot';
  const context = [`${made}, wait ${exactSeconds(r.waitSeconds)}, ${exactSeconds(r.durationMs / 1000)} in all, started ${r.startedAt}`, ...r.notes.map((n) => `note: ${n}`)];
  return {
    text: verifyHeadline(r),
    blocks: [
      {
        kind: 'header',
        text: `Session TTL verification: ${r.environment}`,
        tone: VERDICT_TONE[r.verdict],
        status: { icon, label: VERDICT_LABEL[r.verdict] },
      },
      { kind: 'section', id: 'verify-verdict', text: verdict },
      { kind: 'section', id: 'verify-numbers', text: [], fields: verifyLines(r).map((l) => ({ label: l.label, value: [t(l.value)] })) },
      { kind: 'context', id: 'verify-notes', items: context.map((line) => [t(line)]) },
    ],
  };
}
