import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnostics/types.js';
import { markResolved, renderAlertGroupMessage, renderDiagnosisReply } from '../../src/alerts/alert-reply.js';
import { storedMessageSchema } from '../../src/alerts/stored-message.js';
import { sampleReport } from '../fixtures/sample-report.js';

const report: Report = sampleReport;

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
