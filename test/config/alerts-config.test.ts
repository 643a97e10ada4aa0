import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile, parseConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/core/errors.js';
import { runMainToExit } from '../support/bot-process.js';

const environments = {
  dev: { profile: 'development', redis: { url: 'redis://127.0.0.1:6379' } },
  prod: { profile: 'production', redis: { url: 'redis://127.0.0.1:6379' } },
};
const alertsOf = (raw: Record<string, unknown>) => parseConfig({ environments, ...raw }, 'x').alerts;
const issuesOf = (raw: Record<string, unknown>): string[] => {
  try {
    parseConfig({ environments, ...raw }, 'session-ttl.yaml');
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  throw new Error('expected a ConfigError');
};

describe('the alerts section of the config (issue 22: alert settings for every platform)', () => {
  it('reads alerts.cooldownMinutes and alerts.routing, with no slack section', () => {
    const alerts = alertsOf({
      alerts: { cooldownMinutes: 45, routing: { labelKeys: ['cluster'], aliases: { 'prod-eu': 'prod' } } },
    });
    expect(alerts).toEqual({
      cooldownMinutes: 45,
      routing: { labelKeys: ['cluster'], aliases: { 'prod-eu': 'prod' } },
      aliasesKey: 'alerts.routing.aliases',
      oldKeys: [],
    });
  });

  it('fills the defaults when neither key sets them: 15 minutes, the usual labels, no alias', () => {
    expect(alertsOf({})).toEqual({
      cooldownMinutes: 15,
      routing: { labelKeys: ['env', 'environment', 'namespace', 'cluster'], aliases: {} },
      aliasesKey: 'alerts.routing.aliases',
      oldKeys: [],
    });
    expect(alertsOf({ alerts: { routing: { aliases: { production: 'prod' } } } }).routing.labelKeys).toEqual([
      'env',
      'environment',
      'namespace',
      'cluster',
    ]);
  });

  it('still reads the old slack.alertCooldownMinutes and slack.alertRouting for what alerts.* leaves out', () => {
    // An older config: everything under slack
    const old = alertsOf({
      slack: { alertCooldownMinutes: 30, alertRouting: { labelKeys: ['env'], aliases: { production: 'prod' } } },
    });
    expect(old).toEqual({
      cooldownMinutes: 30,
      routing: { labelKeys: ['env'], aliases: { production: 'prod' } },
      aliasesKey: 'slack.alertRouting.aliases',
      // each said once at start-up, with its new name
      oldKeys: [
        'slack.alertCooldownMinutes (now alerts.cooldownMinutes)',
        'slack.alertRouting.labelKeys (now alerts.routing.labelKeys)',
        'slack.alertRouting.aliases (now alerts.routing.aliases)',
      ],
    });
    // Half moved: each setting from the key that sets it
    const mixed = alertsOf({
      alerts: { routing: { labelKeys: ['cluster'] } },
      slack: { alertCooldownMinutes: 30, alertRouting: { aliases: { production: 'prod' } } },
    });
    expect(mixed).toEqual({
      cooldownMinutes: 30,
      routing: { labelKeys: ['cluster'], aliases: { production: 'prod' } },
      aliasesKey: 'slack.alertRouting.aliases',
      oldKeys: [
        'slack.alertCooldownMinutes (now alerts.cooldownMinutes)',
        'slack.alertRouting.aliases (now alerts.routing.aliases)',
      ],
    });
  });

  it('accepts both keys of a setting when they say the same (aliases in any order)', () => {
    const alerts = alertsOf({
      alerts: { cooldownMinutes: 20, routing: { labelKeys: ['env'], aliases: { a: 'dev', b: 'prod' } } },
      slack: { alertCooldownMinutes: 20, alertRouting: { labelKeys: ['env'], aliases: { b: 'prod', a: 'dev' } } },
    });
    expect(alerts).toEqual({
      cooldownMinutes: 20,
      routing: { labelKeys: ['env'], aliases: { a: 'dev', b: 'prod' } },
      aliasesKey: 'alerts.routing.aliases',
      oldKeys: [
        'slack.alertCooldownMinutes (now alerts.cooldownMinutes)',
        'slack.alertRouting.labelKeys (now alerts.routing.labelKeys)',
        'slack.alertRouting.aliases (now alerts.routing.aliases)',
      ],
    });
  });

  it('refuses both keys of a setting with different values, naming both', () => {
    expect(issuesOf({ alerts: { cooldownMinutes: 30 }, slack: { alertCooldownMinutes: 10 } })).toEqual([
      'slack.alertCooldownMinutes: 10 conflicts with alerts.cooldownMinutes: 30; both set the alert cooldown ' +
        '(slack.alertCooldownMinutes is its old name), so keep alerts.cooldownMinutes and remove slack.alertCooldownMinutes',
    ]);
    expect(
      issuesOf({
        alerts: { routing: { labelKeys: ['env', 'cluster'], aliases: { production: 'prod' } } },
        slack: { alertRouting: { labelKeys: ['cluster', 'env'], aliases: { production: 'prod', development: 'dev' } } },
      }),
    ).toEqual([
      'slack.alertRouting.labelKeys: [cluster, env] conflicts with alerts.routing.labelKeys: [env, cluster]; both set ' +
        'the labels that name the environment (slack.alertRouting.labelKeys is its old name), so keep ' +
        'alerts.routing.labelKeys and remove slack.alertRouting.labelKeys',
      'slack.alertRouting.aliases: { development: dev, production: prod } conflicts with alerts.routing.aliases: ' +
        '{ production: prod }; both set the label value aliases (slack.alertRouting.aliases is its old name), so keep ' +
        'alerts.routing.aliases and remove slack.alertRouting.aliases',
    ]);
  });

  it('refuses the conflict in a config file too: the bot does not start on a guess', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'cfg-alerts-')), 'session-ttl.yaml');
    writeFileSync(
      file,
      [
        'environments:',
        '  prod: { profile: production, redis: { url: "redis://127.0.0.1:6379" } }',
        'alerts:',
        '  cooldownMinutes: 60',
        'slack:',
        '  alertCooldownMinutes: 15',
        '',
      ].join('\n'),
    );
    expect(() => loadConfigFile(file)).toThrow(ConfigError);
    expect(() => loadConfigFile(file)).toThrow(
      /^Invalid configuration in .*session-ttl\.yaml:\n {2}- slack\.alertCooldownMinutes: 15 conflicts with alerts\.cooldownMinutes: 60;/,
    );
  });

  it('names the key an alias was written under when it points at no environment', () => {
    expect(issuesOf({ alerts: { routing: { aliases: { production: 'prd' } } } })).toEqual([
      'alerts.routing.aliases.production: names environment "prd", which is not defined; expected one of dev, prod',
    ]);
  });

  it('names the bad field of the alerts section and what was expected', () => {
    expect(issuesOf({ alerts: { cooldownMinutes: 0 } })).toEqual([
      'alerts.cooldownMinutes: Too small: expected number to be >0',
    ]);
    expect(issuesOf({ alerts: { routing: { labelKeys: [] } } })).toEqual([
      'alerts.routing.labelKeys: expected at least one label name',
    ]);
    expect(issuesOf({ alerts: { cooldown: 5 } })).toEqual(['alerts: unknown field(s) cooldown']);
    expect(issuesOf({ slack: { alertCooldownMinutes: -1 } })).toEqual([
      'slack.alertCooldownMinutes: Too small: expected number to be >0',
    ]);
  });

  it(
    'the bot that refuses an alias at start-up names the key it was written under, new or old',
    { timeout: 120_000 },
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'main-alerts-'));
      const start = (section: string, key: string) => {
        const config = join(dir, `${section}.yaml`);
        writeFileSync(
          config,
          [
            'environments:',
            '  prod: { profile: production, redis: { url: "redis://127.0.0.1:1" } }',
            '  staging: { profile: staging, redis: { url: "redis://127.0.0.1:1" } }',
            `${section}:`,
            `  ${key}: { aliases: { PROD: staging } }`,
            '',
          ].join('\n'),
        );
        return runMainToExit({
          SLACK_BOT_TOKEN: 'xoxb-1',
          SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99aaa85a5000',
          SESSION_TTL_CONFIG: config,
        });
      };
      const refusal = 'PROD: "PROD" already names the environment "prod"; an alias cannot send it to "staging".';
      const neutral = start('alerts', 'routing');
      expect(neutral.status).toBe(2);
      expect(neutral.stderr).toContain(`session-ttl-bot cannot start: alerts.routing.aliases.${refusal}`);
      const old = start('slack', 'alertRouting');
      expect(old.status).toBe(2);
      expect(old.stderr).toContain(`session-ttl-bot cannot start: slack.alertRouting.aliases.${refusal}`);
      // The old name still works, and start-up says once what to rename it to.
      expect(old.stdout).toContain('slack.alertRouting.aliases (now alerts.routing.aliases)');
      expect(neutral.stdout).not.toContain('old slack.* names');
    },
  );
});
