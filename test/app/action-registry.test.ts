// Start-up refuses an action that answers a finding no check declares, and an `access` section that names
// an action the registry does not hold: through the bot's start path (createBot, and main.ts as a process)
// and the CLI's (runCli), each with a message that says what to fix.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBot, type BotDeps } from '../../src/bot.js';
import { runCli } from '../../src/cli/run-cli.js';
import { parseConfig } from '../../src/config/config.js';
import { ConfigError } from '../../src/core/errors.js';
import { createLogger } from '../../src/core/logging.js';
import { evictionPolicyCheck } from '../../src/diagnostics/checks/eviction-policy.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { ActionRegistryError, ALL_ACTIONS } from '../../src/remediation/actions/index.js';
import { setFixtureFlag } from '../fixtures/actions/set-fixture-flag.js';
import { captureIo } from '../support/cli-io.js';

const ROOT = join(import.meta.dirname, '..', '..');
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const dir = mkdtempSync(join(tmpdir(), 'action-registry-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An action as a typo leaves it: one of its findings is not in the catalogue. */
const stray = { ...setFixtureFlag, findings: ['eviction.allkeys_policy', 'eviction.allkeys_polcy'] };
const STRAY_MESSAGE =
  'Remediation action "set-fixture-flag" answers finding "eviction.allkeys_polcy", which no check declares in the findings catalogue.';

const accessNaming = (action: string) => ({
  roles: { sre: { users: ['U0SRE'] } },
  environments: { dev: { request: { [action]: ['sre'], '*': ['sre'] } } },
});

function botDeps(extra: Partial<BotDeps> & { access?: unknown } = {}): BotDeps {
  const { access, ...rest } = extra;
  const raw = {
    environments: { dev: { profile: 'development', redis: { url: 'redis://127.0.0.1:1' } } },
    ...(access ? { access } : {}),
  };
  return {
    settings: {
      mode: 'http',
      botToken: 'xoxb-1',
      signingSecret: SECRET,
      slackApiUrl: 'http://127.0.0.1:1/api/',
      port: 0,
      logLevel: 'silent',
    },
    config: parseConfig(raw, 'session-ttl.yaml'),
    registry: createCheckRegistry([evictionPolicyCheck]),
    sourcesFor: () => ({}),
    logger: createLogger({ level: 'silent' }),
    hostname: '127.0.0.1',
    ...rest,
  };
}

describe('the bot at start-up', () => {
  it('refuses an action answering a finding no check declares, naming both', () => {
    expect(() => createBot(botDeps({ actions: [...ALL_ACTIONS, stray] }))).toThrow(
      new ActionRegistryError(STRAY_MESSAGE),
    );
  });

  it('refuses an access section naming an unknown action, as a config error naming the key', () => {
    const err = (() => {
      try {
        createBot(botDeps({ access: accessNaming('flush-all') }));
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toMatch(
      /^Invalid configuration in session-ttl\.yaml:\n {2}- access\.environments\.dev\.request\.flush-all: "flush-all" is not an action; expected one of set-eviction-policy, .*tune-aof or "\*"$/,
    );
  });

  it('accepts access naming an action once that action is registered', async () => {
    expect(() => createBot(botDeps({ access: accessNaming('set-fixture-flag') }))).toThrow(
      /"set-fixture-flag" is not an action/,
    );
    const bot = createBot(
      botDeps({ access: accessNaming('set-fixture-flag'), actions: [...ALL_ACTIONS, setFixtureFlag] }),
    );
    await bot.stop();
  });

  it('main.ts exits 2 with the message, before it starts anything', () => {
    // Given: a config whose access section names an action that does not exist.
    const config = join(dir, 'bad-access.yaml');
    writeFileSync(
      config,
      [
        'environments:',
        '  dev: { profile: development, redis: { url: "redis://127.0.0.1:1" } }',
        'access:',
        '  roles: { sre: { users: [U0SRE] } }',
        '  environments:',
        '    dev: { request: { flush-all: [sre] } }',
        '',
      ].join('\n'),
    );
    // When: the bot process starts with it.
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        SLACK_BOT_TOKEN: 'xoxb-1',
        SLACK_SIGNING_SECRET: SECRET,
        SESSION_TTL_CONFIG: config,
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    // Then: exit 2 and the config error, no stack trace.
    expect(r.stderr).toContain(`session-ttl-bot cannot start: Invalid configuration in ${config}:`);
    expect(r.stderr).toContain(
      'access.environments.dev.request.flush-all: "flush-all" is not an action; expected one of set-eviction-policy',
    );
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.status).toBe(2);
  });
});

describe('the CLI at start-up', () => {
  const config = join(dir, 'session-ttl.yaml');
  writeFileSync(config, 'environments:\n  dev: { profile: development, redis: { url: "redis://127.0.0.1:1" } }\n');

  it('refuses fix and demo with an action answering an unknown finding', async () => {
    for (const argv of [['fix', 'dev', 'set-fixture-flag', '--dry-run', '--config', config], ['demo']]) {
      const io = captureIo();
      expect(await runCli(argv, io, { actions: [...ALL_ACTIONS, stray] }), argv[0]).toBe(2);
      expect(io.err()).toBe(`session-ttl: ${STRAY_MESSAGE}\n`);
    }
  });

  it('refuses a config whose access names an unknown action, whatever the command', async () => {
    const bad = join(dir, 'bad-access-cli.yaml');
    writeFileSync(
      bad,
      'environments:\n  dev: { profile: development, redis: { url: "redis://127.0.0.1:1" } }\n' +
        'access:\n  roles: { sre: { users: [U0SRE] } }\n  environments:\n    dev: { approve: { flush-all: [sre] } }\n',
    );
    const io = captureIo();
    expect(await runCli(['envs', '--config', bad], io)).toBe(2);
    expect(io.err()).toContain('access.environments.dev.approve.flush-all: "flush-all" is not an action');
    const ok = captureIo();
    expect(await runCli(['envs', '--config', config], ok)).toBe(0);
  });
});
