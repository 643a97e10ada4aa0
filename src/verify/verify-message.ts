import { clip, t, type Icon, type Message, type Span, type Tone } from '../core/message.js';
import { exactSeconds } from '../core/format.js';
import { progressText } from './progress-text.js';
import type { Verdict, VerifyHint, VerifyProgress, VerifyResult } from './verify-result.js';
import { verifyHeadline, verifyLines, VERDICT_LABEL } from './verify-lines.js';

const VERDICT_ICON: Record<Verdict, Icon> = { pass: 'ok', fail: 'fail', error: 'caution' };
const VERDICT_TONE: Record<Verdict, Tone> = { pass: 'healthy', fail: 'critical', error: 'warning' };

/** The progress message (posted, then updated in place). Pure. */
export function verifyProgressMessage(p: VerifyProgress): Message {
  const text = progressText(p);
  return { text, blocks: [{ kind: 'section', id: 'verify-progress', text: [{ icon: 'hourglass' }, t(` ${text}`)] }] };
}

/**
 * What a pass proves, in words. A canary key written by the bot proves the store keeps a TTL it was
 * given; it says nothing of the TTL the app writes, so a canary pass says so instead of "sessions keep
 * their TTL".
 */
export function passScope(r: VerifyResult): { proved: string; notTested?: string } {
  if (r.mode === 'canary') {
    return {
      proved: 'A key written by the bot keeps its TTL: it decays at wall-clock rate and nothing evicted or deleted it.',
      notTested: `The app's own writes were not tested (the TTL it sets, the sliding window): configure app.baseUrl and app.tokenEnv for ${r.environment}.`,
    };
  }
  return {
    proved: `A session created through the app keeps its TTL: it decays at wall-clock rate and nothing evicted or deleted it${
      r.slidingWindowTested ? `; the sliding window behaves as configured (${r.slidingWindow ? 'on' : 'off'})` : ''
    }.`,
  };
}

function openCriticalsSection(hint: VerifyHint, env: string): Span[] {
  const open = hint.openCriticals;
  if (!open?.titles.length) return [];
  const n = open.titles.length;
  const titles = open.titles
    .slice(0, 3)
    .map((title) => clip(title, 120))
    .join('; ');
  const more = n > 3 ? `; +${n - 3} more` : '';
  return [
    { icon: 'critical' },
    t(` ${env}'s latest diagnosis has ${n} open critical finding${n === 1 ? '' : 's'}: ${titles}${more}. `),
    open.link ? t('See the diagnosis', { link: open.link }) : t(`Run session-ttl diagnose ${env}`, { code: true }),
    t('.'),
  ];
}

/**
 * The verdict as a neutral message: a header with the environment and PASS/FAIL/ERROR, the reasons
 * (or what a pass proves and what it did not test), the open criticals the caller knows of, the
 * measured numbers as fields and the notes. Pure: same result and hint, same message.
 */
export function verifyMessage(r: VerifyResult, hint: VerifyHint = {}): Message {
  const icon = VERDICT_ICON[r.verdict];
  const scope = passScope(r);
  const verdict: Span[] =
    r.verdict === 'pass'
      ? [
          { icon },
          t(` ${scope.proved}`),
          ...(scope.notTested ? [t('\n'), { icon: 'caution' as const }, t(` ${scope.notTested}`, { bold: true })] : []),
        ]
      : r.reasons.flatMap((reason, i) => [...(i ? [t('\n')] : []), { icon }, t(` ${reason}`)]);
  const criticals = openCriticalsSection(hint, r.environment);
  const made = r.mode === 'app' ? 'session created through the app API' : 'canary key written by the bot';
  const context = [
    `${made}, wait ${exactSeconds(r.waitSeconds)}, ${exactSeconds(r.durationMs / 1000)} in all, started ${r.startedAt}`,
    ...r.notes.map((n) => `note: ${n}`),
  ];
  const openCount = hint.openCriticals?.titles.length ?? 0;
  return {
    text: `${verifyHeadline(r)}${openCount ? `; ${openCount} critical finding${openCount === 1 ? '' : 's'} open in the latest diagnosis` : ''}`,
    blocks: [
      {
        kind: 'header',
        text: `Session TTL verification: ${r.environment}`,
        tone: VERDICT_TONE[r.verdict],
        status: { icon, label: VERDICT_LABEL[r.verdict] },
      },
      { kind: 'section', id: 'verify-verdict', text: verdict },
      ...(criticals.length ? [{ kind: 'section' as const, id: 'verify-open-criticals', text: criticals }] : []),
      {
        kind: 'section',
        id: 'verify-numbers',
        text: [],
        fields: verifyLines(r).map((l) => ({ label: l.label, value: [t(l.value)] })),
      },
      { kind: 'context', id: 'verify-notes', items: context.map((line) => [t(line)]) },
    ],
  };
}
