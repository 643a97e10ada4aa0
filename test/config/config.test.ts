import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig, resolveConfigPath } from '../../src/config/config.js';
import { ConfigError } from '../../src/core/errors.js';

function issuesOf(raw: unknown): string[] {
  try {
    parseConfig(raw, 'test.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

const minimal = { environments: { prod: { profile: 'production', redis: { url: 'redis://127.0.0.1:6379' } } } };

describe('config', () => {
  it('fills TTL and sliding window from the profile (runbook Configuration Reference)', () => {
    const cfg = parseConfig(
      {
        environments: {
          dev: { profile: 'development', redis: { url: 'redis://a:1' } },
          stg: { profile: 'staging', redis: { url: 'redis://a:1' } },
          prod: { profile: 'production', redis: { url: 'rediss://a:1' } },
          api: { profile: 'production-api', redis: { url: 'redis://a:1' } },
          custom: {
            profile: 'production',
            expectedTtlSeconds: 7200,
            slidingWindow: false,
            redis: { url: 'redis://a:1' },
          },
        },
      },
      'x',
    );
    const e = cfg.environments;
    expect([e.dev, e.stg, e.prod, e.api].map((x) => [x?.expectedTtlSeconds, x?.slidingWindow])).toEqual([
      [3600, true],
      [43200, true],
      [86400, true],
      [604800, false],
    ]);
    expect([e.custom?.expectedTtlSeconds, e.custom?.slidingWindow]).toEqual([7200, false]);
    expect(e.prod?.redis.keyPattern).toBe('session:*');
    expect(cfg.defaults.sampleSize).toBe(1000);
  });

  it('names the field path and what was expected', () => {
    const issues = issuesOf({
      environments: { prod: { profile: 'prod', redis: { url: 'http://x', passwordEnv: 'hunter2 secret' } } },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^environments\.prod\.profile: expected one of development \| staging \| production \| production-api/,
        ),
        expect.stringMatching(/^environments\.prod\.redis\.url: expected a redis:\/\/ or rediss:\/\/ URL/),
        expect.stringMatching(/^environments\.prod\.redis\.passwordEnv: expected the name of an environment variable/),
      ]),
    );
  });

  it('refuses a password inside the Redis URL', () => {
    const issues = issuesOf({
      environments: { prod: { profile: 'production', redis: { url: 'redis://:s3cret@host:6379' } } },
    });
    expect(issues.join('\n')).toMatch(/must not contain a password/);
    expect(issues.join('\n')).not.toContain('s3cret');
  });

  it('rejects unknown fields, missing sections and empty environments', () => {
    expect(issuesOf({ ...minimal, environments: { prod: { ...minimal.environments.prod, ttl: 5 } } })).toEqual([
      'environments.prod: unknown field(s) ttl',
    ]);
    expect(issuesOf({})[0]).toMatch(/^environments: /);
    expect(issuesOf({ environments: {} })).toEqual(['environments: expected at least one environment']);
    expect(issuesOf({ environments: { prod: { profile: 'production' } } })[0]).toMatch(/^environments\.prod\.redis: /);
  });

  it('accepts live or manifest kubernetes sections and resolves paths against the config file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'session-ttl.yaml');
    writeFileSync(
      file,
      `environments:
  prod:
    profile: production
    redis: { url: "redis://127.0.0.1:6379", passwordEnv: REDIS_PASSWORD_PROD }
    kubernetes: { kubeconfig: ~/.kube/config, context: prod-cluster, namespace: langgraph-agent }
  demo:
    profile: production
    redis: { url: "redis://127.0.0.1:6380" }
    kubernetes: { manifests: ./manifests/demo }
`,
    );
    const cfg = loadConfigFile(file);
    const prod = cfg.environments.prod?.kubernetes;
    expect(prod && 'kubeconfig' in prod && prod.kubeconfig).toMatch(/\.kube\/config$/);
    expect(prod && 'kubeconfig' in prod && prod.kubeconfig).not.toContain('~');
    const demo = cfg.environments.demo?.kubernetes;
    expect(demo && 'manifests' in demo && demo.manifests).toBe(join(dir, 'manifests/demo'));
    expect(demo?.appConfigMap).toBe('langgraph-agent-config');
  });

  it('reports a missing file and invalid YAML as ConfigError', () => {
    expect(() => loadConfigFile('/nonexistent/session-ttl.yaml')).toThrow(/file not found/);
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'environments: [\n');
    expect(() => loadConfigFile(file)).toThrow(ConfigError);
    expect(() => loadConfigFile(file)).toThrow(/not valid YAML/);
  });

  it('rejects an alert-routing alias that names an unknown environment', () => {
    expect(issuesOf({ ...minimal, slack: { alertRouting: { aliases: { production: 'prd' } } } })).toEqual([
      'slack.alertRouting.aliases.production: names environment "prd", which is not defined; expected one of prod',
    ]);
    expect(
      parseConfig({ ...minimal, slack: { alertRouting: { aliases: { production: 'prod' } } } }, 'x').alerts.routing
        .aliases,
    ).toEqual({
      production: 'prod',
    });
  });

  it("takes the outbox's pauses from slack.outbox.delaysSeconds (default as before) and refuses a bad one", () => {
    expect(parseConfig(minimal, 'x').slack.outbox.delaysSeconds).toEqual([5, 15, 30, 60, 120, 300, 600]);
    const short = parseConfig({ ...minimal, slack: { outbox: { delaysSeconds: [0.5, 2] } } }, 'x');
    expect(short.slack.outbox.delaysSeconds).toEqual([0.5, 2]);
    expect(issuesOf({ ...minimal, slack: { outbox: { delaysSeconds: [] } } })).toEqual([
      expect.stringMatching(/^slack\.outbox\.delaysSeconds: .*1/),
    ]);
    expect(issuesOf({ ...minimal, slack: { outbox: { delaysSeconds: [5, -1] } } })).toEqual([
      expect.stringMatching(/^slack\.outbox\.delaysSeconds\.1: /),
    ]);
  });

  it('accepts the shipped example config', () => {
    const cfg = loadConfigFile(join(import.meta.dirname, '../../session-ttl.example.yaml'));
    expect(Object.keys(cfg.environments)).toEqual(['dev', 'prod']);
    expect(cfg.environments.prod?.app?.tokenEnv).toBe('APP_TOKEN_PROD');
    expect(cfg.alerts.routing.aliases).toEqual({ production: 'prod', development: 'dev' });
    expect(cfg.slack.outbox.delaysSeconds).toEqual([5, 15, 30, 60, 120, 300, 600]);
  });

  it("accepts the example's commented gitops environment once uncommented", () => {
    const text = readFileSync(join(import.meta.dirname, '../../session-ttl.example.yaml'), 'utf8');
    // The prod block's `# gitops:` lines, uncommented; the optional ones (`#   # apiUrl`) stay comments.
    let inBlock = false;
    const opened = text
      .split('\n')
      .map((line) => {
        if (line === '    # gitops:' || line.startsWith('    # gitops: ')) inBlock = true;
        else if (!line.startsWith('    #   ')) inBlock = false;
        return inBlock && !line.startsWith('    #   # ') ? `    ${line.slice('    # '.length)}` : line;
      })
      .join('\n');
    expect(opened).not.toBe(text);
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-example-')), 'session-ttl.yaml');
    writeFileSync(file, opened);
    const g = loadConfigFile(file).environments.prod?.gitops;
    expect(g).toMatchObject({ provider: 'github', repo: 'example/platform-gitops', tokenEnv: 'GITOPS_TOKEN_PROD' });
    expect(g?.files).toEqual({
      redisConfigMap: 'clusters/prod/redis/redis-session-config.yaml',
      appConfigMap: 'clusters/prod/langgraph-agent/config.yaml',
    });
  });

  it('takes the path from --config, then SESSION_TTL_CONFIG, then ./session-ttl.yaml', () => {
    expect(resolveConfigPath('/a.yaml', { SESSION_TTL_CONFIG: '/b.yaml' })).toBe('/a.yaml');
    expect(resolveConfigPath(undefined, { SESSION_TTL_CONFIG: '/b.yaml' })).toBe('/b.yaml');
    expect(resolveConfigPath(undefined, {})).toBe(join(process.cwd(), 'session-ttl.yaml'));
  });
});

describe('config errors a new user can act on (issue 10 item 9)', () => {
  const load = (text: string): string => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-words-')), 'session-ttl.yaml');
    writeFileSync(file, text);
    try {
      loadConfigFile(file);
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
    throw new Error('expected a ConfigError');
  };

  it('shows the line of a YAML error with a caret under the column, not a sentence ending in a colon', () => {
    const message = load('environments:\n  prod:\n    profile: production\n   redis: x\n');
    expect(message).toContain('not valid YAML at line 4, column 1: All mapping items must start at the same column\n');
    expect(message.split('\n').slice(-3)).toEqual([
      '      3 |     profile: production',
      '      4 |    redis: x',
      '        | ^',
    ]);
    expect(message).not.toMatch(/:\s*$/);
  });

  it('keeps the caret under a tab', () => {
    expect(load('environments:\n\tprod: 1\n').split('\n').slice(-2)).toEqual(['      2 | →prod: 1', '        | ^']);
  });

  it('says an empty file (or one of comments) is empty and what to copy', () => {
    for (const text of ['', '# nothing yet\n']) {
      const message = load(text);
      expect(message).toMatch(/the file is empty: copy session-ttl\.example\.yaml/);
      expect(message).not.toContain('expected record');
    }
  });

  it('names a missing section as missing', () => {
    expect(issuesOf({ defaults: {} })).toEqual(['environments: missing (expected record)']);
  });

  it('points a password written into the file to passwordEnv', () => {
    const [issue] = issuesOf({
      environments: { prod: { profile: 'production', redis: { url: 'redis://a:1', password: 'hunter2' } } },
    });
    expect(issue).toBe(
      'environments.prod.redis: unknown field(s) password (secrets never go in this file: instead of password, name the environment variable that holds it with passwordEnv)',
    );
    expect(issue).not.toContain('hunter2');
  });

  it('names the rule and the name of an environment name it refuses, never "Invalid key in record"', () => {
    const env = { profile: 'production', redis: { url: 'redis://a:1' } };
    const long = 'payments-eu-west-1-production-blue';
    const issues = [long, 'Prod'].flatMap((name) => issuesOf({ environments: { [name]: env } }));
    expect(issues).toEqual([
      `environments.${long}: environment name "${long}" is not allowed (it has 34 characters): ` +
        'use lowercase letters, digits, - and _, starting with a letter or digit, at most 32 characters',
      'environments.Prod: environment name "Prod" is not allowed: ' +
        'use lowercase letters, digits, - and _, starting with a letter or digit, at most 32 characters',
    ]);
    expect(issues.join('\n')).not.toContain('Invalid key in record');
    expect(() => parseConfig({ environments: { ['a'.repeat(32)]: env } }, 'test.yaml')).not.toThrow();
  });
});
