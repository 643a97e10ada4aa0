import { describe, expect, it } from 'vitest';
import { unknownActionIssues } from '../../src/config/access.js';
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
  it('names Teams users as aad:<Entra object id> (kept in lower case) and Teams channels by id', () => {
    const access = (users: string[], channels: string[]) => ({
      environments,
      access: { roles: { sre: { users } }, channels, environments: {} },
    });
    const cfg = parseConfig(
      access(['aad:0000AAAA-0000-4000-8000-000000000001', 'U012AB3CD'], ['19:ops@thread.tacv2']),
      'x',
    );
    expect(cfg.access?.roles.sre?.users).toEqual(['aad:0000aaaa-0000-4000-8000-000000000001', 'U012AB3CD']);
    expect(cfg.access?.channels).toEqual(['19:ops@thread.tacv2']);
    expect(issuesOf(access(['aad:alice'], ['19:ops@thread.tacv2;messageid=1']))).toEqual([
      "access.roles.sre.users.0: a Teams user is aad: followed by the person's Entra object id (a GUID), e.g. aad:3f2b8c1e-5a4d-4e6f-9b0a-1c2d3e4f5a6b",
      'access.channels.0: expected a Slack channel id such as C0123ABCD, or a Teams channel id such as 19:…@thread.tacv2',
    ]);
  });

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
    expect(cfg.access?.roles.oncall).toEqual({ users: [], userGroups: ['S0ONCALL'], entraGroups: [] });
    expect(cfg.access?.environments.prod?.approve).toEqual({ '*': ['sre'] });
    expect(cfg.remediation).toEqual({
      dryRun: true,
      pendingTtlMinutes: 30,
      applyLeaseSeconds: 30,
      reconcileEverySeconds: 15,
      gitops: { allowDirectPatch: false, argocdNamespace: 'argocd', pollSeconds: 60 },
    });
  });

  it('leaves access absent (deny by default) and gives remediation its defaults', () => {
    const cfg = parseConfig({ environments }, 'x');
    expect(cfg.access).toBeUndefined();
    expect(cfg.remediation).toEqual({
      dryRun: false,
      pendingTtlMinutes: 30,
      applyLeaseSeconds: 30,
      reconcileEverySeconds: 15,
      gitops: { allowDirectPatch: false, argocdNamespace: 'argocd', pollSeconds: 60 },
    });
  });

  it("refuses unknown roles and unknown environments, naming the path (action keys are the registry's to check)", () => {
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
        'access.environments.prod.request.*.1: names role "dba", which is not defined in access.roles; expected one of sre',
        'access.environments.qa: names environment "qa", which is not defined; expected one of prod, dev',
      ]),
    );
    expect(issues).toHaveLength(3);
  });

  it('lists the action keys the registry does not hold, worded as the other issues', () => {
    const cfg = parseConfig(
      {
        environments,
        access: {
          roles: { sre: { users: ['U1'] } },
          environments: {
            prod: { request: { 'flush-all': ['sre'], '*': ['sre'] }, approve: { 'set-maxmemory': ['sre'] } },
            dev: { approve: { 'set-fixture-flag': ['sre'] } },
          },
        },
      },
      'test.yaml',
    );
    expect(unknownActionIssues(cfg.access, ['set-maxmemory', 'set-eviction-policy'])).toEqual([
      'access.environments.prod.request.flush-all: "flush-all" is not an action; expected one of set-maxmemory, set-eviction-policy or "*"',
      'access.environments.dev.approve.set-fixture-flag: "set-fixture-flag" is not an action; expected one of set-maxmemory, set-eviction-policy or "*"',
    ]);
    expect(unknownActionIssues(cfg.access, ['set-maxmemory', 'flush-all', 'set-fixture-flag'])).toEqual([]);
    expect(unknownActionIssues(undefined, [])).toEqual([]);
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
