import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/core/errors.js';

const environments = {
  prod: { profile: 'production', redis: { url: 'redis://127.0.0.1:6379' } },
  dev: { profile: 'development', redis: { url: 'redis://127.0.0.1:6379' } },
};

function issuesOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'test.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('access and remediation config', () => {
  it('reads the issue example and fills defaults', () => {
    const cfg = parseConfig(
      {
        environments,
        access: {
          roles: { sre: { users: ['U012AB3CD'], userGroups: ['S0SREGRP'] }, oncall: { userGroups: ['S0ONCALL'] } },
          channels: ['C0INCIDENT'],
          environments: {
            prod: {
              verify: ['sre', 'oncall'],
              request: { 'set-eviction-policy': ['oncall', 'sre'], 'rollout-restart': ['oncall', 'sre'], '*': ['sre'] },
              approve: { '*': ['sre'] },
              approvals: 1,
            },
          },
        },
        remediation: { dryRun: true },
      },
      'x',
    );
    expect(cfg.access?.roles.oncall).toEqual({ users: [], userGroups: ['S0ONCALL'] });
    expect(cfg.access?.environments.prod?.approve).toEqual({ '*': ['sre'] });
    expect(cfg.remediation).toEqual({ dryRun: true, pendingTtlMinutes: 30 });
  });

  it('leaves access absent (deny by default) and gives remediation its defaults', () => {
    const cfg = parseConfig({ environments }, 'x');
    expect(cfg.access).toBeUndefined();
    expect(cfg.remediation).toEqual({ dryRun: false, pendingTtlMinutes: 30 });
  });

  it('refuses unknown roles, unknown environments and unknown action keys, naming the path', () => {
    const issues = issuesOf({
      environments,
      access: {
        roles: { sre: { users: ['U1'] } },
        environments: {
          prod: {
            verify: ['oncall'],
            request: { 'flush-all': ['sre'], '*': ['sre', 'dba'] },
            approve: { 'set-maxmemory': ['sre'] },
          },
          qa: { request: {} },
        },
      },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'access.environments.prod.verify.0: names role "oncall", which is not defined in access.roles; expected one of sre',
        expect.stringMatching(
          /^access\.environments\.prod\.request\.flush-all: "flush-all" is not an action; expected one of set-eviction-policy, .* or "\*"$/,
        ),
        'access.environments.prod.request.*.1: names role "dba", which is not defined in access.roles; expected one of sre',
        'access.environments.qa: names environment "qa", which is not defined; expected one of prod, dev',
      ]),
    );
    expect(issues).toHaveLength(4);
  });

  it('validates ids, approvals and remediation fields', () => {
    const issues = issuesOf({
      environments,
      access: {
        roles: { SRE: { users: ['bob'] } },
        channels: ['#incident'],
        environments: { prod: { approvals: -1, reviewers: [] } },
      },
      remediation: { pendingTtlMinutes: 0, dry_run: true },
    });
    const text = issues.join('\n');
    expect(text).toMatch(/access\.roles\.SRE: role names/);
    expect(text).toMatch(/access\.roles\.SRE\.users\.0: expected a Slack user id/);
    expect(text).toMatch(/access\.channels\.0: expected a Slack channel id/);
    expect(text).toMatch(/access\.environments\.prod\.approvals: /);
    expect(text).toMatch(/access\.environments\.prod: unknown field\(s\) reviewers/);
    expect(text).toMatch(/remediation\.pendingTtlMinutes: /);
    expect(text).toMatch(/remediation: unknown field\(s\) dry_run/);
  });
});
