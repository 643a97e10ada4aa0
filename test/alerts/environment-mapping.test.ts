import { describe, expect, it } from 'vitest';
import { createEnvironmentResolver } from '../../src/alerts/environment-mapping.js';
import { alertRoutingSchema, DEFAULT_LABEL_KEYS } from '../../src/config/alert-routing.js';
import { parseAlertPost } from '../../src/chat/slack/alert-posts/parse-alert-post.js';
import { describeIssues } from '../../src/config/config.js';
import { UserError } from '../../src/core/errors.js';

const environments = ['dev', 'staging', 'prod'];
const aliases = { production: 'prod', 'prod-cluster': 'prod', Development: 'dev' };

describe('createEnvironmentResolver', () => {
  const resolver = createEnvironmentResolver({ environments, aliases });

  it('checks env, environment, namespace, cluster in that order', () => {
    expect(DEFAULT_LABEL_KEYS).toEqual(['env', 'environment', 'namespace', 'cluster']);
    expect(resolver.resolve({ labels: { namespace: 'prod', env: 'staging' } })).toEqual({
      env: 'staging',
      from: 'env',
    });
    // A key whose value maps nowhere does not stop the search.
    expect(resolver.resolve({ labels: { env: 'eu-west-1', cluster: 'prod-cluster' } })).toEqual({
      env: 'prod',
      from: 'cluster',
    });
  });

  it('matches values and label names ignoring case, through aliases', () => {
    expect(resolver.resolve({ labels: { environment: 'Production' } })).toEqual({ env: 'prod', from: 'environment' });
    expect(resolver.resolve({ labels: { Env: 'DEV' } })).toEqual({ env: 'dev', from: 'env' });
    expect(resolver.resolve({ labels: { env: 'development' } })).toEqual({ env: 'dev', from: 'env' });
  });

  it('says what it saw when nothing matches', () => {
    expect(resolver.resolve({ labels: { alertname: 'X', env: 'qa', namespace: 'langgraph-agent' } })).toEqual({
      env: undefined,
      seen: { env: 'qa', namespace: 'langgraph-agent' },
    });
    expect(resolver.resolve({})).toEqual({ env: undefined, seen: {} });
  });

  it('falls back to group labels, then to title values that point at exactly one environment', () => {
    expect(resolver.resolve({ labels: { alertname: 'X' }, groupLabels: { env: 'staging' } })).toEqual({
      env: 'staging',
      from: 'env',
    });
    expect(resolver.resolve({ groupValues: ['sessions', 'production', 'langgraph-agent', 'info'] })).toEqual({
      env: 'prod',
      from: 'groupValues',
    });
    // 'prod' and 'production' are the same environment: not ambiguous.
    expect(resolver.resolve({ groupValues: ['prod', 'production'] })).toMatchObject({ env: 'prod' });
    expect(resolver.resolve({ groupValues: ['staging', 'prod'] })).toEqual({
      env: undefined,
      seen: { groupValues: 'staging prod' },
    });
  });

  it('uses only the configured label keys', () => {
    const byCluster = createEnvironmentResolver({ environments, aliases, labelKeys: ['cluster'] });
    expect(byCluster.resolve({ labels: { env: 'prod', cluster: 'staging' } })).toEqual({
      env: 'staging',
      from: 'cluster',
    });
    expect(byCluster.resolve({ labels: { env: 'prod' } })).toEqual({ env: undefined, seen: {} });
  });

  it('resolves every alert of a parsed post', () => {
    const post = parseAlertPost({
      type: 'message',
      bot_id: 'B1',
      text: 'Labels: alertname=SessionTTLViolations env=prod\nLabels: alertname=SessionTTLViolations env=qa',
    });
    expect(post && resolver.resolvePost(post).map((r) => r.resolution)).toEqual([
      { env: 'prod', from: 'env' },
      { env: undefined, seen: { env: 'qa' } },
    ]);
  });

  it('refuses an alias that points at an environment that does not exist', () => {
    const make = () => createEnvironmentResolver({ environments, aliases: { production: 'prd' } });
    expect(make).toThrow(UserError);
    expect(make).toThrow(
      'alerts.routing.aliases.production: "prd" is not a configured environment. Valid environments: dev, staging, prod.',
    );
  });

  it('names the key the aliases were read from: alerts.routing.aliases, or the old slack key of an older config', () => {
    const make = (aliasesKey?: string) => () =>
      createEnvironmentResolver({ environments, aliases: { PROD: 'staging' }, ...(aliasesKey ? { aliasesKey } : {}) });
    expect(make()).toThrow(/^alerts\.routing\.aliases\.PROD: "PROD" already names the environment "prod"/);
    expect(make('slack.alertRouting.aliases')).toThrow(
      /^slack\.alertRouting\.aliases\.PROD: "PROD" already names the environment "prod"/,
    );
  });

  it('refuses an alias that would send an environment name elsewhere', () => {
    expect(() => createEnvironmentResolver({ environments, aliases: { PROD: 'staging' } })).toThrow(
      /aliases\.PROD: "PROD" already names the environment "prod"/,
    );
  });
});

describe('alertRoutingSchema', () => {
  it('fills the defaults', () => {
    expect(alertRoutingSchema.parse({})).toEqual({
      labelKeys: ['env', 'environment', 'namespace', 'cluster'],
      aliases: {},
    });
    expect(alertRoutingSchema.parse({ labelKeys: ['cluster'], aliases })).toEqual({ labelKeys: ['cluster'], aliases });
  });

  it('names the bad field and what was expected', () => {
    const issues = (raw: unknown) => {
      const r = alertRoutingSchema.safeParse(raw);
      return r.success ? [] : describeIssues(r.error);
    };
    expect(issues({ labelKeys: ['env', 'app.kubernetes.io/name'] })).toEqual([
      'labelKeys.1: expected a Prometheus label name such as env or namespace',
    ]);
    expect(issues({ labelKeys: [] })).toEqual(['labelKeys: expected at least one label name']);
    expect(issues({ aliases: { production: '' } })).toEqual(['aliases.production: expected an environment name']);
    expect(issues({ alias: {} })).toEqual(['(top level): unknown field(s) alias']);
  });
});
