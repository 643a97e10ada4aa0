import { describe, expect, it } from 'vitest';
import { accessSchema } from '../../src/config/access.js';
import {
  accessPolicy,
  approversOf,
  decide,
  referencedUserGroups,
  type AccessPolicy,
  type Who,
} from '../../src/remediation/policy.js';

const INCIDENT = 'C0INCIDENT';
const TENANT = '00000000-0000-4000-8000-0000000000aa';
const SRE_GROUP = '0c9d2e4f-1a2b-4c3d-8e9f-a0b1c2d3e4f5';
const LEAD = 'aad:7a2d3b4c-5e6f-4a71-9b8c-0d1e2f3a4b5c';
const access = accessSchema.parse({
  roles: {
    sre: { entraGroups: [SRE_GROUP.toUpperCase()], userGroups: ['S0SREGRP'] },
    lead: { users: [LEAD.toUpperCase().replace('AAD:', 'aad:'), 'U0LEAD'] },
  },
  environments: { prod: { request: { '*': ['sre', 'lead'] }, approve: { '*': ['sre'] } } },
});
const policy: AccessPolicy = { access, incidentChannels: [INCIDENT] };
const teams = (userId: string, o: Partial<Who> = {}): Who => ({
  userId,
  teamId: TENANT,
  userGroups: [],
  platform: 'teams',
  ...o,
});
const request = { kind: 'request', action: 'set-eviction-policy' } as const;
const decideFor = (who: Who, p = policy) => decide(p, who, { channelId: INCIDENT, env: 'prod' }, request);

describe('the policy with Teams actors: aad: users and Entra ID groups', () => {
  it('keeps Entra ids lower-case, as the Teams front end names its actors', () => {
    expect(access.roles.sre?.entraGroups).toEqual([SRE_GROUP]);
    expect(access.roles.lead?.users).toEqual([LEAD, 'U0LEAD']);
    expect(referencedUserGroups(policy)).toEqual([SRE_GROUP, 'S0SREGRP']);
  });

  it.each([
    ['a member of the Entra ID group', teams('aad:x', { userGroups: [SRE_GROUP] }), ['sre']],
    ['an aad: user listed by id', teams(LEAD), ['lead']],
    [
      'an aad: user listed by id, while their groups could not be read',
      teams(LEAD, { groupsUnreadable: 'x' }),
      ['lead'],
    ],
    ['a Slack member of the Slack user group', { userId: 'U0X', teamId: 'T1', userGroups: ['S0SREGRP'] }, ['sre']],
  ])('allows %s', (_name, who, roles) => {
    expect(decideFor(who)).toEqual({ allowed: true, roles });
  });

  it("refuses a person in no role with the policy's words; says why when their groups could not be read", () => {
    const plain = decideFor(teams('aad:stranger'));
    expect(plain).toMatchObject({
      allowed: false,
      why: 'You may not request set-eviction-policy in prod: add your user id (aad:stranger) to a role listed in access.environments.prod.request.* (sre, lead).',
    });
    const unread = decideFor(teams('aad:stranger', { groupsUnreadable: 'Microsoft Graph is unavailable (HTTP 503)' }));
    expect(unread).toMatchObject({
      allowed: false,
      why:
        'You may not request set-eviction-policy in prod: add your user id (aad:stranger) to a role listed in access.environments.prod.request.* (sre, lead). ' +
        'Your group membership could not be read, so no group counted: Microsoft Graph is unavailable (HTTP 503).',
    });
  });

  it('names the Entra ID groups and aad: users among the approvers', () => {
    const p: AccessPolicy = {
      ...policy,
      access: { ...access, environments: { prod: { request: {}, approve: { '*': ['sre', 'lead'] } } } },
    };
    expect(approversOf(p, 'prod', 'set-eviction-policy', 'U0LEAD')).toEqual({
      users: [LEAD],
      groups: ['S0SREGRP', SRE_GROUP],
    });
  });
});

describe("the workspace rule with Teams beside Slack: the bot's tenant is inside", () => {
  const config = (workspace?: { teamIds: string[]; enterpriseId?: string }) => ({
    access,
    slack: { incidentChannels: [INCIDENT], ...(workspace ? { workspace } : {}) },
  });

  it.each([
    ['auth.test', accessPolicy(config(), () => ({ teamId: 'T0FAKE' }), TENANT.toUpperCase())],
    [
      'slack.workspace (Enterprise Grid)',
      accessPolicy(config({ teamIds: ['T1'], enterpriseId: 'E1' }), undefined, TENANT),
    ],
  ])('%s: a Teams actor of the tenant is inside; another tenant and another workspace are not', (_s, p) => {
    expect(decideFor(teams(LEAD), p)).toEqual({ allowed: true, roles: ['lead'] });
    const otherTenant = decideFor(teams(LEAD, { teamId: '00000000-0000-4000-8000-0000000000bb' }), p);
    expect(otherTenant).toMatchObject({ allowed: false, why: expect.stringMatching(/^This request came from/) });
    // A Slack actor is still held to the Slack rule, and a Slack actor of the tenant's id is not let in by it.
    const slackElsewhere = decideFor({ userId: 'U0LEAD', teamId: 'T9', userGroups: [], platform: 'slack' }, p);
    expect(slackElsewhere).toMatchObject({ allowed: false, why: expect.stringMatching(/^This request came from/) });
    const slackAsTenant = decideFor({ userId: 'U0LEAD', teamId: TENANT, userGroups: [], platform: 'slack' }, p);
    expect(slackAsTenant).toMatchObject({ allowed: false });
  });

  it('without a Teams tenant, no workspace rule holds a Teams actor (as Slack before it knows its workspace)', () => {
    const p = accessPolicy(config(), () => ({ teamId: 'T0FAKE' }));
    expect(decideFor(teams(LEAD), p)).toEqual({ allowed: true, roles: ['lead'] });
    expect(decideFor({ userId: 'U0LEAD', teamId: 'T9', userGroups: [], platform: 'slack' }, p)).toMatchObject({
      allowed: false,
    });
  });
});
