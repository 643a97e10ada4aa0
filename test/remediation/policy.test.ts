import { describe, expect, it } from 'vitest';
import type { AccessConfig } from '../../src/config/access.js';
import { accessSchema } from '../../src/config/access.js';
import {
  approvalsRequired,
  decide,
  mayApprove,
  referencedUserGroups,
  type AccessPolicy,
  type What,
  type Who,
} from '../../src/remediation/policy.js';

const INCIDENT = 'C0INCIDENT';
const access: AccessConfig = accessSchema.parse({
  roles: {
    sre: { users: ['U0SRE'], userGroups: ['S0SREGRP'] },
    oncall: { userGroups: ['S0ONCALL'] },
  },
  environments: {
    prod: {
      verify: ['sre', 'oncall'],
      request: { 'set-eviction-policy': ['oncall', 'sre'], 'rollout-restart': ['oncall'], '*': ['sre'] },
      approve: { '*': ['sre'] },
    },
    staging: { request: { '*': ['oncall'] } },
  },
});
const policy: AccessPolicy = { access, incidentChannels: [INCIDENT] };
const noAccess: AccessPolicy = { incidentChannels: [INCIDENT] };

const sre: Who = { userId: 'U0SRE', teamId: 'T1', userGroups: [] };
const viaGroup: Who = { userId: 'U0NEW', teamId: 'T1', userGroups: ['S0OTHER', 'S0SREGRP'] };
const oncall: Who = { userId: 'U0ONC', teamId: 'T1', userGroups: ['S0ONCALL'] };
const stranger: Who = { userId: 'U0STRANGE', teamId: 'T1', userGroups: ['S0OTHER'] };

const request = (action: What['action']): What => ({ kind: 'request', action });
const approve = (action: What['action']): What => ({ kind: 'approve', action });
const verify: What = { kind: 'verify' };

type Row = [
  name: string,
  p: AccessPolicy,
  who: Who,
  channelId: string,
  env: string,
  what: What,
  expected: { allowed: boolean; roles?: string[]; wouldAllow?: string; why?: RegExp },
];

const rows: Row[] = [
  [
    'no access section: request refused, naming the entry that would allow it',
    noAccess,
    sre,
    INCIDENT,
    'prod',
    request('set-eviction-policy'),
    {
      allowed: false,
      wouldAllow: 'access.environments.prod.request.set-eviction-policy',
      why: /add your user id \(U0SRE\) to a role listed in access\.environments\.prod\.request\.set-eviction-policy/,
    },
  ],
  [
    'no access section: approve refused',
    noAccess,
    sre,
    INCIDENT,
    'prod',
    approve('set-maxmemory'),
    { allowed: false, wouldAllow: 'access.environments.prod.approve.set-maxmemory' },
  ],
  ['no access section: verify stays allowed', noAccess, stranger, 'C0ANYWHERE', 'prod', verify, { allowed: true }],
  [
    'user in a role by id',
    policy,
    sre,
    INCIDENT,
    'prod',
    request('set-eviction-policy'),
    { allowed: true, roles: ['sre'] },
  ],
  [
    'user in a role through a user group',
    policy,
    viaGroup,
    INCIDENT,
    'prod',
    request('set-maxmemory'),
    { allowed: true, roles: ['sre'] },
  ],
  [
    'user in no role',
    policy,
    stranger,
    INCIDENT,
    'prod',
    request('set-eviction-policy'),
    {
      allowed: false,
      wouldAllow: 'access.environments.prod.request.set-eviction-policy',
      why: /U0STRANGE.*\(oncall, sre\)/,
    },
  ],
  [
    'right user, wrong channel',
    policy,
    sre,
    'C0RANDOM',
    'prod',
    request('set-eviction-policy'),
    { allowed: false, wouldAllow: 'slack.incidentChannels', why: /only in <#C0INCIDENT>.*C0RANDOM/ },
  ],
  [
    'access.channels replaces slack.incidentChannels',
    { access: { ...access, channels: ['C0OTHER'] }, incidentChannels: [INCIDENT] },
    sre,
    INCIDENT,
    'prod',
    request('set-eviction-policy'),
    { allowed: false, wouldAllow: 'access.channels' },
  ],
  [
    'exact key used: oncall may request rollout-restart',
    policy,
    oncall,
    INCIDENT,
    'prod',
    request('rollout-restart'),
    { allowed: true, roles: ['oncall'] },
  ],
  [
    'exact key beats "*": sre is under "*" but not under rollout-restart',
    policy,
    sre,
    INCIDENT,
    'prod',
    request('rollout-restart'),
    { allowed: false, wouldAllow: 'access.environments.prod.request.rollout-restart' },
  ],
  [
    '"*" applies to an action without its own key',
    policy,
    sre,
    INCIDENT,
    'prod',
    request('tune-aof'),
    { allowed: true, roles: ['sre'] },
  ],
  [
    '"*" denial names the "*" entry',
    policy,
    oncall,
    INCIDENT,
    'prod',
    request('tune-aof'),
    { allowed: false, wouldAllow: 'access.environments.prod.request.*' },
  ],
  [
    'approve by the approving role',
    policy,
    sre,
    INCIDENT,
    'prod',
    approve('set-eviction-policy'),
    { allowed: true, roles: ['sre'] },
  ],
  [
    'approve refused to a requesting-only role',
    policy,
    oncall,
    INCIDENT,
    'prod',
    approve('set-eviction-policy'),
    { allowed: false, wouldAllow: 'access.environments.prod.approve.*' },
  ],
  [
    'environment without access rules: refused',
    policy,
    sre,
    INCIDENT,
    'dev',
    request('set-eviction-policy'),
    { allowed: false, wouldAllow: 'access.environments.dev.request.set-eviction-policy', why: /Nobody may request/ },
  ],
  ['request without an action: refused', policy, sre, INCIDENT, 'prod', { kind: 'request' }, { allowed: false }],
  [
    'verify listed: a listed role may',
    policy,
    oncall,
    'C0ANYWHERE',
    'prod',
    verify,
    { allowed: true, roles: ['oncall'] },
  ],
  [
    'verify listed: others may not',
    policy,
    stranger,
    INCIDENT,
    'prod',
    verify,
    { allowed: false, wouldAllow: 'access.environments.prod.verify' },
  ],
  ['verify not listed for the environment: allowed', policy, stranger, INCIDENT, 'staging', verify, { allowed: true }],
];

describe('decide', () => {
  it.each(rows)('%s', (_name, p, who, channelId, env, what, expected) => {
    const d = decide(p, who, { channelId, env }, what);
    const { why, ...rest } = expected;
    expect(d).toMatchObject(rest);
    if (why !== undefined) {
      expect(d.allowed).toBe(false);
      if (!d.allowed) expect(d.why).toMatch(why);
    }
  });
});

describe('mayApprove', () => {
  const pending = {
    env: 'prod',
    action: 'set-eviction-policy' as const,
    requester: { userId: 'U0SRE' },
    approvals: [],
  };

  it('refuses the requester approving their own request, even in an approving role', () => {
    const d = mayApprove(policy, sre, INCIDENT, pending);
    expect(d).toMatchObject({ allowed: false, why: expect.stringMatching(/You requested this action/) });
  });

  it('refuses a second approval by the same person', () => {
    const d = mayApprove(policy, viaGroup, INCIDENT, { ...pending, approvals: [{ userId: 'U0NEW' }] });
    expect(d).toMatchObject({ allowed: false, why: expect.stringMatching(/already approved/) });
  });

  it('allows another approver and applies the approve policy and channel', () => {
    expect(mayApprove(policy, viaGroup, INCIDENT, pending)).toEqual({ allowed: true, roles: ['sre'] });
    expect(mayApprove(policy, oncall, INCIDENT, { ...pending, requester: { userId: 'U0X' } })).toMatchObject({
      allowed: false,
    });
    expect(mayApprove(policy, viaGroup, 'C0RANDOM', pending)).toMatchObject({
      allowed: false,
      wouldAllow: 'slack.incidentChannels',
    });
  });
});

describe('approvalsRequired', () => {
  it.each([
    ['production profile defaults to 1', noAccess, 'prod', 'production', 1],
    ['production-api profile defaults to 1', policy, 'api', 'production-api', 1],
    ['staging defaults to 0', policy, 'staging', 'staging', 0],
    ['development defaults to 0', noAccess, 'dev', 'development', 0],
    [
      'explicit approvals win over the profile',
      {
        access: { ...access, environments: { dev: { request: {}, approve: {}, approvals: 2 } } },
        incidentChannels: [],
      },
      'dev',
      'development',
      2,
    ],
    [
      'explicit 0 in production',
      {
        access: { ...access, environments: { prod: { request: {}, approve: {}, approvals: 0 } } },
        incidentChannels: [],
      },
      'prod',
      'production',
      0,
    ],
  ] as const)('%s', (_n, p, env, profile, n) => {
    expect(approvalsRequired(p as AccessPolicy, env, profile)).toBe(n);
  });
});

describe('referencedUserGroups', () => {
  it('lists each group a role names once, and none without an access section', () => {
    expect(referencedUserGroups(policy)).toEqual(['S0ONCALL', 'S0SREGRP']);
    expect(referencedUserGroups(noAccess)).toEqual([]);
  });
});

describe('policy for Teams actors (issue 22)', () => {
  const TENANT = '00000000-0000-4000-8000-0000000000aa';
  const TEAMS_CHANNEL = '19:ops@thread.tacv2';
  const teamsAccess = accessSchema.parse({
    roles: { sre: { users: ['aad:0000aaaa-0000-4000-8000-000000000001'] } },
    channels: [INCIDENT, TEAMS_CHANNEL],
    environments: { prod: { request: { '*': ['sre'] } } },
  });
  const slackWorkspace = { teamIds: ['T1'], source: 'auth.test' };
  const both: AccessPolicy = {
    access: teamsAccess,
    incidentChannels: [],
    workspace: slackWorkspace,
    teamsTenantId: TENANT,
  };
  const person = (teamId: string): Who => ({
    userId: 'aad:0000aaaa-0000-4000-8000-000000000001',
    teamId,
    userGroups: [],
    platform: 'teams',
  });
  const inChannel = { channelId: TEAMS_CHANNEL, env: 'prod' };

  it.each([
    ['the Teams tenant (any case), in an allowed channel', person(TENANT.toUpperCase()), inChannel, true],
    ['another tenant', person('00000000-0000-4000-8000-0000000000bb'), inChannel, false],
    [
      'the Teams tenant, in a channel the policy does not name',
      person(TENANT),
      { ...inChannel, channelId: '19:x@thread.tacv2' },
      false,
    ],
  ])('%s -> allowed %s', (_, who, where, allowed) => {
    expect(decide(both, who, where, request('set-eviction-policy')).allowed).toBe(allowed);
  });

  it('compares channel ids as given: a thread conversation id is no channel of the policy (the front end names the channel)', () => {
    const thread = `${TEAMS_CHANNEL};messageid=1700000000001`;
    expect(
      decide(both, person(TENANT), { channelId: thread, env: 'prod' }, request('set-eviction-policy')),
    ).toMatchObject({
      allowed: false,
      why: expect.stringContaining(`add this channel (${thread}) to access.channels`),
    });
  });

  it('holds a Teams actor to TEAMS_TENANT_ID and a Slack actor to the Slack workspace', () => {
    const other = decide(
      both,
      person('00000000-0000-4000-8000-0000000000bb'),
      inChannel,
      request('set-eviction-policy'),
    );
    expect(other).toMatchObject({ allowed: false, wouldAllow: 'TEAMS_TENANT_ID' });
    const slackUser: Who = { userId: 'U0SRE', teamId: TENANT, userGroups: [] };
    expect(decide(both, slackUser, { channelId: INCIDENT, env: 'prod' }, request('set-eviction-policy'))).toMatchObject(
      {
        allowed: false,
        wouldAllow: 'auth.test',
      },
    );
  });
});
