import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/core/errors.js';

const environments = { prod: { profile: 'production', redis: { url: 'redis://127.0.0.1:6379' } } };
const GROUP = '0C9D2E4F-1A2B-4C3D-8E9F-A0B1C2D3E4F5';
const USER = '7a2d3b4c-5e6f-4a71-9b8c-0d1e2f3a4b5c';

function issuesOf(roles: unknown): string[] {
  try {
    parseConfig({ environments, access: { roles } }, 'test.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('access roles naming Teams users (aad:) and Entra ID groups', () => {
  it('reads aad:<object id> users and entraGroups by object id, kept lower-case', () => {
    const cfg = parseConfig(
      {
        environments,
        access: { roles: { sre: { users: ['U012AB3CD', `AAD:${USER.toUpperCase()}`], entraGroups: [GROUP] } } },
      },
      'x',
    );
    expect(cfg.access?.roles.sre).toEqual({
      users: ['U012AB3CD', `aad:${USER}`],
      userGroups: [],
      entraGroups: [GROUP.toLowerCase()],
    });
  });

  it('names the field and the expected form of each wrong id', () => {
    const issues = issuesOf({
      sre: { users: ['aad:bob', 'bob@example.com'], userGroups: [GROUP], entraGroups: ['S0ONCALL', 'sre-team'] },
    });
    expect(issues).toEqual([
      "access.roles.sre.users.0: a Teams user is aad: followed by the person's Entra object id (a GUID), e.g. aad:3f2b8c1e-5a4d-4e6f-9b0a-1c2d3e4f5a6b",
      'access.roles.sre.users.1: expected a Slack user id such as U012AB3CD, or a Teams user as aad:<Entra object id>, e.g. aad:3f2b8c1e-5a4d-4e6f-9b0a-1c2d3e4f5a6b',
      'access.roles.sre.userGroups.0: expected a Slack user group id such as S0123ABCD (Entra ID groups go in entraGroups, by object id)',
      "access.roles.sre.entraGroups.0: expected an Entra ID group's object id (a GUID such as 3f2b8c1e-5a4d-4e6f-9b0a-1c2d3e4f5a6b), from Entra admin center > Groups",
      "access.roles.sre.entraGroups.1: expected an Entra ID group's object id (a GUID such as 3f2b8c1e-5a4d-4e6f-9b0a-1c2d3e4f5a6b), from Entra admin center > Groups",
    ]);
  });
});
