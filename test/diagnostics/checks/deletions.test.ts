import { runChecked } from '../check-context.js';
import { describe, expect, it } from 'vitest';
import {
  deletionsCheck,
  densestWindow,
  lineTime,
  redactLogLine,
  reportedBulkCount,
} from '../../../src/diagnostics/checks/deletions.js';
import { deletionCountersCheck } from '../../../src/diagnostics/checks/deletion-counters.js';
import type { RawFinding } from '../../../src/diagnostics/types.js';
import {
  APP_PODS,
  clusterOf,
  contextFor,
  diagnose,
  NS,
  problems,
  seedSessions,
  testConfig,
  useHealthyEnvironment,
} from '../healthy-environment.js';

const env = useHealthyEnvironment();

const NOW = Date.now();
const at = (secondsAgo: number) => new Date(NOW - secondsAgo * 1000).toISOString();
const SECRET_ID = '9f8e7d6c5b4a3f2e1d0c9b8a';

async function run(opts: { logTailLines?: number } = {}): Promise<RawFinding[]> {
  return runChecked(
    deletionsCheck,
    contextFor({
      config: testConfig(),
      client: env.client,
      cluster: clusterOf(env.kube),
      options: opts.logTailLines ? { logTailLines: opts.logTailLines } : {},
    }),
  );
}
const byId = (fs: RawFinding[], id: string): RawFinding => {
  const f = fs.find((x) => x.id === id);
  expect(f, `finding ${id} in ${JSON.stringify(fs.map((x) => x.id))}`).toBeDefined();
  return f as RawFinding;
};
const ids = (fs: RawFinding[]) => fs.map((f) => f.id);

/** `count` session deletions by a cleanup job, `spacingMs` apart, ending `endSecondsAgo` ago. */
function bulkLines(count: number, spacingMs: number, endSecondsAgo = 60): string[] {
  return Array.from({ length: count }, (_, i) => {
    const t = new Date(NOW - endSecondsAgo * 1000 - (count - 1 - i) * spacingMs).toISOString();
    return `${t} INFO session_cleanup: deleted session session:${i.toString(16).padStart(4, '0')}${SECRET_ID} user=u${i}@example.com`;
  });
}

describe('lineTime', () => {
  const now = Date.parse('2026-11-27T12:00:00Z');
  it.each([
    ['2026-11-20T10:00:00Z INFO x', Date.parse('2026-11-20T10:00:00Z')],
    ['2026-11-20T10:00:00.250+01:00 x', Date.parse('2026-11-20T09:00:00.250Z')],
    ['2026-11-20 10:00:00,123 INFO x', Date.parse('2026-11-20T10:00:00.123Z')],
    ['[2026-11-20 10:00:00] x', Date.parse('2026-11-20T10:00:00Z')],
    ['{"time":"2026-11-20T10:00:00Z","msg":"session deleted"}', Date.parse('2026-11-20T10:00:00Z')],
    ['{"ts":1763632800.5,"msg":"session deleted"}', 1763632800500],
    [
      '10.0.0.1 - - [20/Nov/2026:10:00:00 +0100] "DELETE /api/sessions/x HTTP/1.1" 204',
      Date.parse('2026-11-20T09:00:00Z'),
    ],
    ['Nov 20 10:00:00 host app: session deleted', Date.parse('2026-11-20T10:00:00Z')],
    ['Dec 31 23:00:00 host app: session deleted', Date.parse('2025-12-31T23:00:00Z')],
  ])('reads %s', (line, expected) => {
    expect(lineTime(line, now)).toBe(expected);
  });
  it('returns undefined for a line without a time', () => {
    expect(lineTime('INFO session deleted', now)).toBeUndefined();
  });
});

describe('redactLogLine', () => {
  it('masks session ids, tokens, emails, IPs and UUIDs and keeps the rest readable', () => {
    const line =
      `2026-11-20T10:00:00Z INFO revoked session:${SECRET_ID} session_id=${SECRET_ID} for bob.smith@example.com ` +
      `from 10.20.30.40 and 2001:db8::8a2e:370:7334 req=123e4567-e89b-12d3-a456-426614174000 ` +
      `Authorization: Bearer abc.def-ghi token="xyz" {"sid": "abcdef"} jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig`;
    const out = redactLogLine(line);
    for (const secret of [
      SECRET_ID,
      'bob.smith',
      '10.20.30.40',
      '2001:db8',
      '123e4567',
      'abc.def-ghi',
      'xyz',
      'abcdef',
      'eyJhbGci',
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).toContain('2026-11-20T10:00:00Z INFO revoked session:<redacted>');
    expect(out).toContain('<email>');
    expect(out).toContain('from <ip> and <ip>');
    expect(out).toContain('Authorization: <redacted>');
  });

  it('masks a whole Cookie header and quoted JSON secrets, and leaves times alone', () => {
    expect(redactLogLine('10:00:00 DELETE /api/sessions/abc123def cookie: sid=a1; csrf=b2')).toBe(
      '10:00:00 DELETE /api/sessions/<redacted> cookie: <redacted>',
    );
    expect(
      redactLogLine('{"msg":"session deleted","authorization":"Bearer abc","session_id":"s1","at":"12:30:00"}'),
    ).toBe('{"msg":"session deleted","authorization":"<redacted>","session_id":"<redacted>","at":"12:30:00"}');
  });
});

describe('reportedBulkCount and densestWindow', () => {
  it.each([
    ['cleanup: deleted 1,200 sessions', 1200],
    ['Revoked 75 user sessions after password reset', 75],
    ['1200 sessions were deleted by job purge-old', 1200],
    ['session sweep finished, sessions removed: 300', 300],
  ])('reads the count in %s', (line, n) => {
    expect(reportedBulkCount(line)).toBe(n);
  });
  it('reads no count from an ordinary deletion', () => {
    expect(reportedBulkCount('deleted session session:abc for user 42')).toBeUndefined();
  });
  it('finds the densest window', () => {
    expect(densestWindow([0, 10, 20, 70_000, 70_001], 60_000)).toEqual({ count: 3, startMs: 0, endMs: 20 });
    expect(densestWindow([], 60_000).count).toBe(0);
  });
});

describe('deletions on a healthy cluster', () => {
  it('raises nothing when the logs show no deletions and Redis counted no DEL', async () => {
    expect(await run()).toEqual([]);
    const logs = env.kube.requests.filter((r) => r.path.endsWith('/log'));
    expect(logs.map((r) => r.query.tailLines)).toEqual(['200', '200']);
  });

  it('reports only logouts as info (deletions by design)', async () => {
    env.kube.setPodLog(
      APP_PODS[0] as string,
      `${at(50)} INFO user logged out, session deleted\n${at(40)} INFO logout: deleted session ${SECRET_ID}\n`,
    );
    const fs = await run();
    expect(ids(fs)).toEqual(['deletion.in_logs']);
    expect(fs[0]?.severity).toBe('info');
    expect(fs[0]?.evidence).toMatchObject({ logouts: 2, otherDeletions: 0 });
  });
});

describe('deletion.in_logs', () => {
  it('counts deletions per pod with redacted samples, and DEL/UNLINK calls from Redis', async () => {
    // Given two deletions and a revocation in the logs, and the app's DEL/UNLINK in Redis
    env.kube.setPodLog(
      APP_PODS[0] as string,
      [
        `${at(300)} INFO GET /api/sessions/current 200`,
        `${at(200)} INFO Deleted session session:${SECRET_ID} for alice@example.com from 10.1.2.3`,
        `${at(100)} WARN revoke_session sid=${SECRET_ID} reason=admin`,
        '',
      ].join('\n'),
    );
    env.kube.setPodLog(APP_PODS[1] as string, `${at(50)} INFO Session ${SECRET_ID} DELETED by user request\n`);
    await seedSessions(env.client, { count: 3 });
    await env.client.del('session:s0');
    await env.client.unlink('session:s1');

    // When
    const fs = await run();

    // Then
    expect(ids(fs)).toEqual(['deletion.in_logs']);
    const f = byId(fs, 'deletion.in_logs');
    expect(f.severity).toBe('warning');
    expect(f.title).toBe('3 session deletion/revocation line(s) in the last 200 log lines of 2 app pod(s)');
    expect(f.evidence).toMatchObject({
      podsSearched: 2,
      matched: 3,
      otherDeletions: 3,
      byPod: { [APP_PODS[0] as string]: 2, [APP_PODS[1] as string]: 1 },
      redisDeletes: { del: 1, unlink: 1, nodes: 1 },
    });
    const samples = f.evidence.samples as string[];
    expect(samples).toHaveLength(3);
    const text = JSON.stringify(f);
    for (const secret of [SECRET_ID, 'alice@', '10.1.2.3']) expect(text).not.toContain(secret);
    expect(samples[0]).toMatch(
      /^langgraph-agent-5d8c-aaaaa: .* Deleted session session:<redacted> for <email> from <ip>$/,
    );
    expect(f.fix).toContain(`kubectl logs -n ${NS} -l app=langgraph-agent --tail=200`);
  });

  it('searches only the configured tail of the logs', async () => {
    env.kube.setPodLog(
      APP_PODS[0] as string,
      [...bulkLines(60, 100), ...Array.from({ length: 30 }, (_, i) => `${at(10)} INFO GET /health ${i}`), ''].join(
        '\n',
      ),
    );
    expect(await run({ logTailLines: 30 })).toEqual([]);
    expect(env.kube.requests.filter((r) => r.path.endsWith('/log')).map((r) => r.query.tailLines)).toContain('30');
  });
});

describe('deletion.bulk', () => {
  it('is raised for 60 deletions within 6 s, with the window and redacted samples', async () => {
    env.kube.setPodLog(APP_PODS[0] as string, `${bulkLines(60, 100).join('\n')}\n`);
    const fs = await run();
    expect(ids(fs).sort()).toEqual(['deletion.bulk', 'deletion.in_logs']);
    const f = byId(fs, 'deletion.bulk');
    expect(f.severity).toBe('warning');
    expect(f.title).toMatch(/^Bulk session deletion in the app logs: 60 deletions within 1 min \(/);
    expect(f.evidence).toMatchObject({ threshold: 50, windowSeconds: 60, densestWindow: { count: 60 } });
    expect(JSON.stringify(f)).not.toMatch(new RegExp(`${SECRET_ID}|@example\\.com`));
  });

  it('is critical for a line reporting 1,200 deleted sessions', async () => {
    env.kube.setPodLog(APP_PODS[1] as string, `${at(120)} INFO purge-job: deleted 1,200 sessions older than 1h\n`);
    const f = byId(await run(), 'deletion.bulk');
    expect(f.severity).toBe('critical');
    expect(f.evidence.reportedBulkCounts).toEqual([1200]);
  });

  it('is not raised for 60 deletions spread over two hours', async () => {
    env.kube.setPodLog(APP_PODS[0] as string, `${bulkLines(60, 120_000).join('\n')}\n`);
    const fs = await run();
    expect(ids(fs)).toEqual(['deletion.in_logs']);
  });

  it('is not raised for 60 logouts within a minute', async () => {
    const lines = Array.from(
      { length: 60 },
      (_, i) => `${at(60 - i * 0.5)} INFO user u${i} logged out, session deleted`,
    );
    env.kube.setPodLog(APP_PODS[0] as string, `${lines.join('\n')}\n`);
    const fs = await run();
    expect(ids(fs)).toEqual(['deletion.in_logs']);
    expect(fs[0]?.severity).toBe('info');
  });
});

describe('deletions through the engine', () => {
  it('is skipped with its reason when no log can be read, and the DEL/expired counts judge Scenario 4 alone', async () => {
    // Given app pods with empty logs, and one DEL counted by Redis (a logout, or the bot's own canary)
    for (const pod of APP_PODS) env.kube.setPodLog(pod, '');
    await env.client.set('session:x', '1', 'EX', 60);
    await env.client.del('session:x');
    const checks = [deletionsCheck, deletionCountersCheck];

    const report = await diagnose({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube), checks });

    // Then deletions is skipped (not an error: the report stays complete) and says why and what decides instead
    const summary = report.checks.find((c) => c.id === 'deletions');
    expect(summary?.status).toBe('skipped');
    expect(summary?.message).toBe(
      'no app log lines to search; deletion-counters judges Scenario 4 from the DEL/UNLINK calls against expired ' +
        `keys (the 2 pod(s) matching app=langgraph-agent returned empty logs from ${clusterOf(env.kube).description})`,
    );
    expect(report.checks.find((c) => c.id === 'deletion-counters')?.status).toBe('ok');
    expect(report.scenarios.find((s) => s.scenario === 4)).toMatchObject({ likelihood: 'ruled_out' });
    expect(report.scenarios.find((s) => s.scenario === 4)?.unchecked).toBeUndefined();

    // And when Redis counts deletions dominating the expirations, the counters alone make Scenario 4 likely
    const p = env.client.pipeline();
    for (let i = 0; i < 60; i++) p.del(`session:gone${i}`);
    await p.exec();
    const again = await diagnose({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube), checks });
    expect(again.checks.find((c) => c.id === 'deletions')?.status).toBe('skipped');
    expect(problems(again)).toEqual(['deletion.commands']);
    expect(again.scenarios[0]).toMatchObject({ scenario: 4, likelihood: 'likely' });
  });

  it('turns a denied pods/log into kubernetes.forbidden', async () => {
    env.kube.failAll(403);
    const report = await diagnose({
      config: testConfig(),
      client: env.client,
      cluster: clusterOf(env.kube),
      checks: [deletionsCheck],
    });
    env.kube.clearFaults();
    expect(report.findings.map((f) => f.id)).toEqual(['kubernetes.forbidden']);
  });

  it('a healthy setup with every check raises no deletion finding', async () => {
    await seedSessions(env.client);
    const report = await diagnose({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube) });
    expect(report.checks.find((c) => c.id === 'deletions')?.status).toBe('ok');
    expect(report.findings.map((f) => f.id).filter((id) => id.startsWith('deletion.'))).toEqual([]);
  });

  it('bulk deletions alone make Scenario 4 the likely first one', async () => {
    // Given a healthy store from which a cleanup job just deleted 60 sessions, logging each
    await seedSessions(env.client);
    const p = env.client.pipeline();
    for (let i = 0; i < 60; i++) p.del(`session:s${i}`);
    await p.exec();
    env.kube.setPodLog(APP_PODS[0] as string, `${bulkLines(60, 100).join('\n')}\n`);

    const report = await diagnose({ config: testConfig(), client: env.client, cluster: clusterOf(env.kube) });

    // (Redis counted the 60 DELs against no expirations: deletion.commands agrees with the logs.)
    expect(problems(report).sort()).toEqual(['deletion.bulk', 'deletion.commands', 'deletion.in_logs']);
    expect(report.scenarios[0]).toMatchObject({ scenario: 4, likelihood: 'likely' });
    expect(report.scenarios[0]?.evidence.sort()).toEqual(['deletion.bulk', 'deletion.commands', 'deletion.in_logs']);
    expect(report.findings.find((f) => f.id === 'deletion.bulk')?.evidence.redisDeletes).toMatchObject({ del: 60 });
  });
});
