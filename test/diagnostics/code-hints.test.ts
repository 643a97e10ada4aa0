import { describe, expect, it } from 'vitest';
import { ttlSampleCheck } from '../../src/diagnostics/checks/ttl-sample.js';
import { deletionsCheck } from '../../src/diagnostics/checks/deletions.js';
import { allChecks } from '../../src/diagnostics/all-checks.js';
import { contextFor, clusterOf, diagnose, APP_PODS, testConfig, useHealthyEnvironment } from './healthy-environment.js';
import { findingById, plantSessions, runChecked } from './check-context.js';

// Issue 10 item 6: fix texts name the app's code only from app.codeHints; otherwise they say it generically.

const env = useHealthyEnvironment();
const APP_SPECIFIC = /mcp_server_langgraph|session\.py|create_session|refresh_session|delete_session|revoke_session/;
const hints = {
  baseUrl: 'http://127.0.0.1:9',
  codeHints: { sessionModule: 'app/auth/store.py', createFunction: 'open_session', refreshFunction: 'touch_session' },
};

describe('code hints in fix texts', () => {
  it('sessions written with a short TTL: the fix names the configured module and function', async () => {
    await plantSessions(env.client, { count: 200, ttlSeconds: 600, maxAgeSeconds: 500 });

    const withHints = findingById(
      await runChecked(ttlSampleCheck, contextFor({ config: testConfig({ app: hints }), client: env.client })),
      'ttl.effective_below_configured',
    );
    const generic = findingById(
      await runChecked(ttlSampleCheck, contextFor({ config: testConfig(), client: env.client })),
      'ttl.effective_below_configured',
    );

    expect(withHints.fix).toContain('app/auth/store.py');
    expect(withHints.fix).toContain('make open_session() use SETEX');
    expect(withHints.fix).toContain('grep -rnE "(ttl|expire|ex)\\s*=\\s*[0-9]|setex" app/auth/store.py');
    expect(generic.fix).toContain('make the function that creates sessions use SETEX');
    expect(generic.fix).not.toMatch(APP_SPECIFIC);
  });

  it('no finding of a faulty store names a code base the config did not name', async () => {
    // Given: short TTLs, sessions without expiry and logged bulk deletions
    await plantSessions(env.client, { count: 200, ttlSeconds: 600, maxAgeSeconds: 500 });
    await plantSessions(env.client, { count: 20, prefix: 'x' });
    const now = Date.now();
    env.kube.setPodLog(
      APP_PODS[0] as string,
      Array.from({ length: 60 }, (_, i) => `${new Date(now - 1000 + i).toISOString()} INFO deleted session:${i}`).join(
        '\n',
      ),
    );

    const report = await diagnose({
      config: testConfig(),
      client: env.client,
      cluster: clusterOf(env.kube),
      checks: allChecks,
    });

    expect(report.findings.filter((f) => f.fix).length).toBeGreaterThan(2);
    for (const f of report.findings) expect(f.fix ?? '', f.id).not.toMatch(APP_SPECIFIC);
    const deletion = report.findings.find((f) => f.check === deletionsCheck.id && f.id === 'deletion.in_logs');
    expect(deletion?.fix).toContain('grep -rniE "delete|revoke|unlink" in the code that handles sessions');
  });
});
