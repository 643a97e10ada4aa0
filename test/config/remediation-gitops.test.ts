import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/core/errors.js';

const environments = { prod: { profile: 'production', redis: { url: 'redis://127.0.0.1:6379' } } };

function issuesOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'test.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('remediation.gitops', () => {
  it('defaults to no direct patch of a GitOps-managed object and Argo CD Applications in "argocd"', () => {
    expect(parseConfig({ environments }, 'x').remediation.gitops).toEqual({
      allowDirectPatch: false,
      argocdNamespace: 'argocd',
      pollSeconds: 60,
    });
  });

  it('reads both settings', () => {
    const cfg = parseConfig(
      { environments, remediation: { gitops: { allowDirectPatch: true, argocdNamespace: 'gitops' } } },
      'x',
    );
    expect(cfg.remediation.gitops).toEqual({ allowDirectPatch: true, argocdNamespace: 'gitops', pollSeconds: 60 });
  });

  it('refuses a non-boolean policy, a bad namespace and unknown fields, naming the path', () => {
    const issues = issuesOf({
      environments,
      remediation: { gitops: { allowDirectPatch: 'yes', argocdNamespace: 'Argo_CD', allow_direct_patch: true } },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'remediation.gitops.allowDirectPatch: expected true or false',
        'remediation.gitops.argocdNamespace: expected a namespace name (lower case letters, digits and "-")',
        'remediation.gitops: unknown field(s) allow_direct_patch',
      ]),
    );
  });
});
