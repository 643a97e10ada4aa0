import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnostics/types.js';
import { markResolved, renderAlertGroupMessage, renderDiagnosisReply } from '../../src/alerts/alert-reply.js';
import { storedMessageSchema } from '../../src/alerts/stored-message.js';

const report: Report = {
  environment: 'prod',
  startedAt: '2026-11-27T10:00:00.000Z',
  durationMs: 1530,
  checks: [
    { id: 'eviction-policy', status: 'findings', durationMs: 12 },
    { id: 'env-check', status: 'error', durationMs: 40, message: 'configmaps is forbidden' },
  ],
  findings: [
    {
      id: 'eviction.allkeys_policy',
      check: 'eviction-policy',
      severity: 'critical',
      title: 'maxmemory-policy is allkeys-lru',
      detail: 'Sessions can be evicted.',
      evidence: { policy: 'allkeys-lru', usedRatio: 0.9634 },
      fix: 'Use volatile-lru.',
    },
    {
      id: 'ttl.distribution',
      check: 'ttl-sample',
      severity: 'info',
      title: 'Remaining TTLs',
      detail: '',
      evidence: {
        sampled: 3,
        buckets: [
          { label: '<1h', count: 2 },
          { label: '>1h', count: 1 },
        ],
      },
    },
  ],
  scenarios: [
    { scenario: 1, name: 'Redis memory eviction', likelihood: 'likely', evidence: ['eviction.allkeys_policy'] },
  ],
};

/** What the state store gives back: the message through JSON. */
const stored = (m: unknown) => storedMessageSchema.safeParse(JSON.parse(JSON.stringify(m)));

describe('a neutral message kept in the state store', () => {
  it('reads back exactly as the alert diagnosis, its resolved form and the group message were written', () => {
    const diagnosis = renderDiagnosisReply(report, { alertname: 'SessionTTLViolations', checks: 'all' });
    const messages = [
      diagnosis,
      markResolved(diagnosis, 23 * 60_000),
      renderAlertGroupMessage({ status: 'firing', alerts: [{ alertname: 'A', status: 'firing', env: 'prod' }] }),
    ];
    for (const m of messages) expect(stored(m)).toEqual({ success: true, data: JSON.parse(JSON.stringify(m)) });
  });

  it('refuses a record whose blocks are not a message (an unknown kind, an icon that does not exist)', () => {
    expect(stored({ text: 'x', blocks: [{ kind: 'carousel' }] }).success).toBe(false);
    expect(stored({ text: 'x', blocks: [{ kind: 'section', text: [{ icon: 'unicorn' }] }] }).success).toBe(false);
    expect(stored({ blocks: [] }).success).toBe(false);
  });
});
