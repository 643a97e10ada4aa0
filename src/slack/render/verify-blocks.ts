import { escapeMrkdwn, SLACK_LIMITS, truncate, type KnownBlock, type SlackMessage } from './report-blocks.js';
import { progressText } from '../../verify/progress-text.js';
import type { VerifyProgress, VerifyResult } from '../../verify/verify-result.js';
import { verifyHeadline, verifyLines, VERDICT_LABEL } from '../../verify/verify-lines.js';

const VERDICT_EMOJI = { pass: ':white_check_mark:', fail: ':red_circle:', error: ':warning:' } as const;

/** The progress message (posted, then updated in place). Pure. */
export function renderVerifyProgressMessage(p: VerifyProgress): SlackMessage {
  const text = progressText(p);
  return {
    text,
    blocks: [{ type: 'section', block_id: 'verify-progress', text: { type: 'mrkdwn', text: `:hourglass_flowing_sand: ${escapeMrkdwn(text)}` } }],
  };
}

/**
 * The verdict: a header with the environment and PASS/FAIL/ERROR, the reasons, the measured numbers as
 * fields and the notes. Stays inside Block Kit's limits. Pure: same result, same message.
 */
export function renderVerifyMessage(r: VerifyResult): SlackMessage {
  const blocks: KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`Session TTL verification: ${r.environment} ${VERDICT_EMOJI[r.verdict]} ${VERDICT_LABEL[r.verdict]}`, SLACK_LIMITS.headerText),
        emoji: true,
      },
    },
  ];
  const summary =
    r.verdict === 'pass'
      ? `${VERDICT_EMOJI.pass} The TTL decays at wall-clock rate and nothing evicted or deleted the ${r.mode === 'app' ? 'test session' : 'canary'}${r.slidingWindowTested ? `; the sliding window behaves as configured (${r.slidingWindow ? 'on' : 'off'})` : ''}.`
      : r.reasons.map((reason) => `${VERDICT_EMOJI[r.verdict]} ${escapeMrkdwn(reason)}`).join('\n');
  blocks.push({ type: 'section', block_id: 'verify-verdict', text: { type: 'mrkdwn', text: truncate(summary, SLACK_LIMITS.sectionText) } });
  // Section fields: at most 10, each at most 2000 characters.
  const fields = verifyLines(r)
    .slice(0, 10)
    .map((l) => ({ type: 'mrkdwn' as const, text: truncate(`*${l.label}*\n${escapeMrkdwn(l.value)}`, 2000) }));
  blocks.push({ type: 'section', block_id: 'verify-numbers', fields });
  const context = [
    `${r.mode === 'app' ? 'session created through the app API' : 'canary key written by the bot'}, wait ${r.waitSeconds} s, ${(r.durationMs / 1000).toFixed(1)} s in all, started ${r.startedAt}`,
    ...r.notes,
  ];
  blocks.push({
    type: 'context',
    block_id: 'verify-notes',
    elements: [{ type: 'mrkdwn', text: truncate(escapeMrkdwn(context.join('\n')), SLACK_LIMITS.contextText) }],
  });
  return { text: verifyHeadline(r), blocks };
}
