import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/core/errors.js';
import { parseConfig } from '../../src/config/config.js';

const env = { dev: { profile: 'development', redis: { url: 'redis://127.0.0.1:6379' } } };
const issues = (teams: unknown): string[] => {
  try {
    parseConfig({ environments: env, teams }, 'session-ttl.yaml');
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.issues;
  }
};

describe('the teams section of the config', () => {
  it('takes a Teams channel id for the alert channel and the incident channels; both optional', () => {
    const cfg = parseConfig(
      {
        environments: env,
        teams: { alertChannel: '19:1a2b3c@thread.tacv2', incidentChannels: ['19:x_y-z@thread.skype'] },
      },
      'x',
    );
    expect(cfg.teams).toEqual({ alertChannel: '19:1a2b3c@thread.tacv2', incidentChannels: ['19:x_y-z@thread.skype'] });
    expect(parseConfig({ environments: env }, 'x').teams).toEqual({ incidentChannels: [] });
  });

  it('names the field and the expected form for a wrong id, and says when it is URL-encoded', () => {
    expect(issues({ alertChannel: 'C0ALERTS' })).toEqual([
      'teams.alertChannel: "C0ALERTS" is not a Teams channel id; expected 19:<id>@thread.tacv2, the part of ' +
        "the channel's link (Get link to channel) after /channel/",
    ]);
    expect(issues({ incidentChannels: ['19%3a1a2b3c%40thread.tacv2'] })[0]).toMatch(
      /^teams\.incidentChannels\.0: "19%3a1a2b3c%40thread\.tacv2" is not a Teams channel id \(it looks URL-encoded: decode %3a to : and %40 to @\)/,
    );
    expect(issues({ alertChannel: '19:abc@thread.tacv2;messageid=1' })).toHaveLength(1);
    expect(issues({ alertChanel: '19:abc@thread.tacv2' })[0]).toMatch(/^teams: unknown field\(s\) alertChanel/);
  });
});
