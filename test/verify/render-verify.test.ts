import { describe, expect, it } from 'vitest';
import { progressText } from '../../src/verify/progress-text.js';
import { renderVerifyText } from '../../src/verify/render-verify-text.js';
import type { VerifyResult } from '../../src/verify/verify-result.js';
import { verifyMessage, verifyProgressMessage } from '../../src/verify/verify-message.js';
import { toBlockKit } from '../../src/chat/slack/render/block-kit.js';

const renderVerifyMessage = (r: VerifyResult) => toBlockKit(verifyMessage(r));
const renderVerifyProgressMessage = (p: Parameters<typeof verifyProgressMessage>[0]) =>
  toBlockKit(verifyProgressMessage(p));

const passing: VerifyResult = {
  environment: 'prod',
  mode: 'app',
  verdict: 'pass',
  reasons: [],
  notes: [],
  startedAt: '2025-01-02T03:04:05.000Z',
  durationMs: 60_412,
  key: 'session:3f9a1c…',
  expectedTtlSeconds: 86400,
  slidingWindow: true,
  slidingWindowTested: true,
  waitSeconds: 60,
  measurements: {
    initialTtlSeconds: 86399.8,
    ttlAfterWaitSeconds: 86339.6,
    elapsedSeconds: 60.1,
    expectedAfterWaitSeconds: 86339.7,
    driftSeconds: 0.1,
    toleranceSeconds: 2.004,
    refreshedTtlSeconds: 86400,
    maxRttMs: 2,
    evictedKeysDelta: 0,
  },
  cleanup: { status: 'removed', appDelete: 'ok' },
};

const failing: VerifyResult = {
  ...passing,
  mode: 'canary',
  verdict: 'fail',
  key: 'session:ttl-canary-0123456789abcdef',
  slidingWindowTested: false,
  reasons: [
    'canary evicted after 12 s with 86,388 s of TTL left (evicted_keys +1,520 during the run): Redis evicts keys under memory pressure <runbook>',
  ],
  notes: [
    "The sliding window was not tested: configure app.baseUrl and app.tokenEnv for prod to verify it through the app's API.",
  ],
  measurements: { initialTtlSeconds: 86400, maxRttMs: 1, evictedKeysDelta: 1520 },
  cleanup: { status: 'removed' },
};

describe('renderVerifyText', () => {
  it('shows the verdict and every measured number', () => {
    const text = renderVerifyText(passing, { color: false });
    expect(text).toBe(
      [
        'Session TTL verification: prod  PASS',
        '',
        '✓ A session created through the app keeps its TTL: it decays at wall-clock rate and nothing evicted or deleted it; the sliding window behaves as configured (on).',
        '',
        '  Expected TTL         86,400 s, sliding window on',
        '  Initial TTL          86,400 s',
        '  TTL after wait       86,340 s after 60 s',
        '  Expected after wait  ~86,340 s',
        '  Drift                +0.1 s (tolerance ±2 s)',
        '  TTL after GET        86,400 s',
        '  Evicted keys         +0 during the run',
        '  Cleanup              test session session:3f9a1c… removed',
        '',
        'session created through the app API, wait 60 s, 60 s in all, started 2025-01-02T03:04:05.000Z',
        '',
      ].join('\n'),
    );
    expect(text).not.toContain('\x1b[');
  });

  it('shows the reasons, the numbers it has and the notes of a failure; colours only when asked', () => {
    const text = renderVerifyText(failing, { color: false });
    expect(text).toContain('FAIL');
    expect(text).toContain(`✗ ${failing.reasons[0]}`);
    expect(text).toContain('Evicted keys  +1,520 during the run');
    expect(text).not.toContain('TTL after wait');
    expect(text).toMatch(/canary key written by the bot, wait 60 s.*\nnote: The sliding window was not tested/);
    expect(text).toContain('canary session:ttl-canary-0123456789abcdef removed');
    expect(renderVerifyText(failing, { color: true })).toContain('\x1b[1;31mFAIL\x1b[0m');
  });

  it('says when the canary could not be removed', () => {
    const text = renderVerifyText(
      {
        ...failing,
        verdict: 'error',
        cleanup: {
          status: 'failed',
          error:
            'Could not remove session:ttl-canary-01: Redis at 10.0.0.1:6379 is unreachable (ECONNREFUSED). Delete it by hand.',
        },
      },
      { color: false },
    );
    expect(text).toContain('ERROR');
    expect(text).toMatch(/Cleanup\s+Could not remove session:ttl-canary-01: .* Delete it by hand\./);
  });
});

describe('renderVerifyMessage (Slack)', () => {
  it('puts the verdict in the header and the fallback text, and the numbers in fields', () => {
    const msg = renderVerifyMessage(passing);
    expect(msg.text).toBe('Session TTL verification for prod: PASS (session created through the app API)');
    expect(msg.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Session TTL verification: prod :white_check_mark: PASS', emoji: true },
    });
    const fields = (
      msg.blocks.find((b) => b.block_id === 'verify-numbers') as { fields: { text: string }[] }
    ).fields.map((f) => f.text);
    expect(fields).toContain('*Initial TTL*\n86,400 s');
    expect(fields).toContain('*TTL after GET*\n86,400 s');
    expect(fields.length).toBeLessThanOrEqual(10);
    const verdict = msg.blocks.find((b) => b.block_id === 'verify-verdict') as { text: { text: string } };
    expect(verdict.text.text).toMatch(/sliding window behaves as configured \(on\)/);
  });

  it('lists the reasons with mrkdwn escaped, and the notes in the context', () => {
    const msg = renderVerifyMessage(failing);
    expect(msg.text).toBe('Session TTL verification for prod: FAIL (canary key)');
    const verdict = msg.blocks.find((b) => b.block_id === 'verify-verdict') as { text: { text: string } };
    expect(verdict.text.text).toBe(`:red_circle: ${failing.reasons[0]!.replace('<runbook>', '&lt;runbook&gt;')}`);
    const context = msg.blocks.at(-1) as { type: string; elements: { text: string }[] };
    expect(context.type).toBe('context');
    expect(context.elements[0]!.text).toMatch(
      /canary key written by the bot, wait 60 s[\s\S]*sliding window was not tested/,
    );
  });

  it('stays within Block Kit limits with very long reasons', () => {
    const msg = renderVerifyMessage({ ...failing, reasons: Array.from({ length: 50 }, () => 'x'.repeat(500)) });
    const verdict = msg.blocks.find((b) => b.block_id === 'verify-verdict') as { text: { text: string } };
    expect(verdict.text.text.length).toBeLessThanOrEqual(3000);
    expect(msg.blocks.length).toBeLessThanOrEqual(50);
  });
});

describe('progress', () => {
  it('says what was written, its TTL and when it checks again', () => {
    expect(
      progressText({
        phase: 'waiting',
        environment: 'prod',
        mode: 'canary',
        initialTtlSeconds: 86400,
        waitSeconds: 60,
      }),
    ).toBe('Verifying prod: canary written, TTL 86,400 s, checking again in 1 min …');
    expect(
      progressText({ phase: 'waiting', environment: 'dev', mode: 'app', initialTtlSeconds: 3600, waitSeconds: 1 }),
    ).toBe('Verifying dev: test session created, TTL 3,600 s, checking again in 1 s …');
    expect(progressText({ phase: 'writing', environment: 'dev', mode: 'app', waitSeconds: 60 })).toBe(
      'Verifying dev: creating a test session through the app API …',
    );
    expect(
      renderVerifyProgressMessage({ phase: 'writing', environment: 'dev', mode: 'canary', waitSeconds: 60 }).text,
    ).toBe('Verifying dev: writing a canary session key …');
  });
});

describe('a canary pass says what it proved and what it did not (issue 10 item 7)', () => {
  const canaryPass: VerifyResult = { ...failing, verdict: 'pass', reasons: [], measurements: passing.measurements };

  it('proves only that a key written by the bot keeps its TTL, and says the app was not tested', () => {
    const text = renderVerifyText(canaryPass, { color: false });
    expect(text).toContain(
      '✓ A key written by the bot keeps its TTL: it decays at wall-clock rate and nothing evicted or deleted it.\n',
    );
    expect(text).toContain(
      "! The app's own writes were not tested (the TTL it sets, the sliding window): configure app.baseUrl and app.tokenEnv for prod.",
    );
    expect(text).not.toMatch(/sessions keep their TTL/i);
    expect(renderVerifyMessage(canaryPass).text).toBe(
      "Session TTL verification for prod: PASS (canary key written by the bot; the app's own writes were not tested)",
    );
  });

  it('links the open critical findings when the caller knows them, in the terminal and in Slack', () => {
    const hint = {
      openCriticals: {
        titles: ['maxmemory-policy is allkeys-lru', 'Sessions written with 1,800 s', 'Redis is evicting keys now', 'x'],
        link: 'https://slack.test/archives/C1/p1',
      },
    };
    const text = renderVerifyText(canaryPass, { color: false, hint });
    expect(text).toContain(
      "CRITICAL prod's latest diagnosis has 4 open critical findings: maxmemory-policy is allkeys-lru; Sessions written with 1,800 s; Redis is evicting keys now; +1 more. See the diagnosis (https://slack.test/archives/C1/p1).",
    );
    const slack = toBlockKit(verifyMessage(canaryPass, hint));
    expect(JSON.stringify(slack.blocks)).toContain('<https://slack.test/archives/C1/p1|See the diagnosis>');
    expect(slack.text).toMatch(/; 4 critical findings open in the latest diagnosis$/);
    // Without a link it says how to see them; without criticals it says nothing of them.
    expect(renderVerifyText(canaryPass, { color: false, hint: { openCriticals: { titles: ['a'] } } })).toContain(
      '1 open critical finding: a. Run session-ttl diagnose prod.',
    );
    expect(renderVerifyText(canaryPass, { color: false, hint: { openCriticals: { titles: [] } } })).not.toContain(
      'open critical',
    );
  });
});
