import { describe, expect, it } from 'vitest';
import { renderFixPullRequestText } from '../../../src/remediation/gitops/pull-request-text.js';

describe('renderFixPullRequestText', () => {
  it('says what changes, the finding, its evidence, who asked and approved, and the thread', () => {
    const { title, body } = renderFixPullRequestText({
      env: 'prod',
      action: 'set-eviction-policy',
      change: 'maxmemory-policy allkeys-lru -> volatile-lru in redis-session-config',
      finding: { id: 'eviction.allkeys_policy', severity: 'critical', title: 'maxmemory-policy is allkeys-lru' },
      evidence: ['evicted_keys: 14,916 in 1.0 s', 'used_memory: 99% of <maxmemory>'],
      requester: '@alice (U1)',
      approvers: ['@bob (U2)'],
      threadUrl: 'https://example.slack.com/archives/C1/p1700000000000100',
      liveChange: 'CONFIG SET maxmemory-policy volatile-lru',
    });
    expect(title).toBe(
      'session-ttl (prod): set-eviction-policy: maxmemory-policy allkeys-lru -> volatile-lru in redis-session-config',
    );
    expect(body).toBe(
      [
        'The durable half of the **set-eviction-policy** fix approved in chat for **prod**: maxmemory-policy allkeys-lru -\\> volatile-lru in redis-session-config.',
        '',
        '### Finding',
        '`eviction.allkeys_policy` (critical): maxmemory-policy is allkeys-lru',
        '',
        '### Evidence',
        '- evicted\\_keys: 14,916 in 1.0 s',
        '- used\\_memory: 99% of \\<maxmemory\\>',
        '',
        '### Approval',
        '- Requested by \\@alice (U1)',
        '- Approved by \\@bob (U2)',
        '- Thread: https://example.slack.com/archives/C1/p1700000000000100',
        '',
        'The live change is already applied: CONFIG SET maxmemory-policy volatile-lru. Merging keeps it across a sync and a restart.',
        '',
        '_Opened by session-ttl-bot. This request changes exactly one line; review it like any other change._',
        '',
      ].join('\n'),
    );
  });

  it('a revert, without finding or approvers, and no more than 20 evidence lines', () => {
    const { title, body } = renderFixPullRequestText({
      env: 'dev',
      action: 'enable-sliding-window',
      change: 'session_sliding_window "true" -> "false"',
      evidence: Array.from({ length: 25 }, (_, i) => `line ${i}`),
      requester: 'carol',
      approvers: [],
      revert: true,
    });
    expect(title).toBe('session-ttl (dev): revert enable-sliding-window: session_sliding_window "true" -> "false"');
    expect(body).toContain('Reverts the **enable-sliding-window** fix in **dev**');
    expect(body).toContain('- line 19\n- … and 5 more\n');
    expect(body).not.toContain('line 20');
    expect(body).toContain('- Approved by no one (the policy needs no approval here)');
    expect(body).not.toContain('### Finding');
  });
});
