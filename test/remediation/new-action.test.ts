// Issue 17's acceptance: a new remediation action with one parameter appears with its button, its form
// and its preview in Slack (the real Bolt app against the fake Slack API) and in `fix --dry-run`, by
// adding one file (test/fixtures/actions/set-fixture-flag.ts) and one line in the action list.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { ALL_ACTIONS } from '../../src/remediation/actions/index.js';
import type { RemediationAction } from '../../src/remediation/types.js';
import { FIXTURE_PARAMETER, setFixtureFlag } from '../fixtures/actions/set-fixture-flag.js';
import { captureIo } from '../support/cli-io.js';
import { sharedRedisUrl } from '../support/shared-redis.js';
import { buttonOf, buttonsOf, refOf, SRE, standardAccess, startFlow, textOf, type Flow } from './slack-flow-harness.js';

/** The registry with the new action's line: what ALL_ACTIONS becomes when the action ships. */
const WITH_FIXTURE = [...ALL_ACTIONS, setFixtureFlag];

describe('a new action: one file and one registry line', () => {
  let f: Flow;
  let dir: string;
  beforeAll(async () => {
    f = await startFlow({ access: standardAccess(['dev', 'prod']), actions: WITH_FIXTURE });
    dir = mkdtempSync(join(tmpdir(), 'new-action-'));
  });
  afterAll(async () => {
    await f?.redis.config('SET', FIXTURE_PARAMETER, 'no');
    await f?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('in Slack: its button on the report, its modal with its input and preview; it applies, audits and reverts', async () => {
    // Given: a report in dev whose allkeys-lru policy raises the finding the new action answers.
    await f.reset();
    const report = await f.diagnose('dev');
    expect(buttonOf(report, 'fix:set-fixture-flag').text?.text).toBe('Set the fixture flag…');
    expect(buttonsOf(report).map((b) => b.action_id)).toContain('fix:set-eviction-policy');

    // When: SRE clicks it.
    const view = await f.openPreview(SRE, report, 'set-fixture-flag');

    // Then: a modal with the action's one input, filled from the plan, and its preview; nothing changed.
    const input = (view.blocks as any[]).find((b) => b.block_id === 'param:flag');
    expect(input).toMatchObject({
      type: 'input',
      label: { text: FIXTURE_PARAMETER },
      hint: { text: 'Free deleted keys in the background' },
      element: { type: 'static_select', action_id: 'value', initial_option: { value: 'yes' } },
    });
    expect(input.element.options.map((o: any) => o.value)).toEqual(['yes', 'no']);
    expect(view.callback_id).toBe('preview');
    expect(view.submit.text).toBe('Apply');
    const preview = JSON.stringify(view.blocks);
    expect(preview).toContain('Preview: Set the fixture flag in dev');
    expect(preview).toMatch(/CONFIG SET lazyfree-lazy-user-del yes on 127\.0\.0\.1:\d+ \(now no\)/);
    expect(preview).toContain('+lazyfree-lazy-user-del yes');
    expect(preview).toContain('The fixture risk');
    expect(await f.configGet(FIXTURE_PARAMETER)).toBe('no');

    // When: SRE picks "no" in the form: a new preview (live is already no; only redis.conf would change).
    const again = await f.submitValues(SRE, view, { flag: 'no' });
    expect(again.json.response_action).toBe('update');
    const next = await f.formView(again);
    expect(next.private_metadata).not.toBe(view.private_metadata);
    const repreviewed = JSON.stringify(next.blocks);
    expect(repreviewed).toContain(`Set ${FIXTURE_PARAMETER} to no in ConfigMap redis-session-config`);
    expect(repreviewed).not.toContain('CONFIG SET');
    expect(repreviewed).toContain('"initial_option":{"text":{"type":"plain_text","text":"no"},"value":"no"}');
    await f.bot.idle();
    expect(f.patches()).toEqual([]);

    // When: SRE submits the first preview as shown.
    await f.submitValues(SRE, view, { flag: 'yes' });
    const applied = await f.slack.waitFor('chat.postMessage', (c) => /Applied set-fixture-flag in dev/.test(textOf(c)));
    await f.bot.idle();

    // Then: the value is live and in redis.conf, the audit names the action, and Revert puts it back.
    expect(await f.configGet(FIXTURE_PARAMETER)).toBe('yes');
    expect(f.conf()).toContain(`\n${FIXTURE_PARAMETER} yes\n`);
    expect((await f.audit('dev')).map((e) => [e.event, e.action, e.params])).toEqual([
      ['request', 'set-fixture-flag', { flag: 'yes' }],
      ['apply', 'set-fixture-flag', { flag: 'yes' }],
    ]);
    await f.click(SRE, buttonOf(applied, 'revert'), refOf(applied));
    await f.slack.waitFor('chat.postMessage', (c) => /Reverted set-fixture-flag in dev/.test(textOf(c)));
    expect(await f.configGet(FIXTURE_PARAMETER)).toBe('no');
  });

  it('in the terminal: fix --dry-run prints its preview and its input; --param takes the form string', async () => {
    // Given: a config of dev on the same Redis.
    const config = join(dir, 'session-ttl.yaml');
    writeFileSync(
      config,
      `environments:\n  dev:\n    profile: development\n    redis: { url: "${sharedRedisUrl()}" }\n`,
    );
    const fix = (args: string[], actions: readonly RemediationAction[] = WITH_FIXTURE) => {
      const io = captureIo();
      const argv = ['fix', 'dev', 'set-fixture-flag', '--dry-run', '--config', config, ...args];
      return runCli(argv, io, { actions }).then((code) => ({ code, out: io.out(), err: io.err() }));
    };

    // When / then: the preview and the one input, with its current value and choices.
    const shown = await fix([]);
    expect(shown.code).toBe(0);
    expect(shown.out).toContain('Preview: Set the fixture flag in dev');
    expect(shown.out).toMatch(/CONFIG SET lazyfree-lazy-user-del yes on 127\.0\.0\.1:\d+ \(now no\)/);
    expect(shown.out).toContain('The fixture risk');
    expect(shown.out).toMatch(
      /Parameters \(change with --param NAME=VALUE\):\n {2}flag {2}lazyfree-lazy-user-del: yes {2}one of: yes, no\n/,
    );

    // And: a --param value is the string a form would send, parsed by the action's own schema.
    expect((await fix(['--param', 'flag=no'])).out).toContain(`${FIXTURE_PARAMETER} is already no everywhere`);
    const bad = await fix(['--param', 'flag=maybe']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('Invalid parameters for set-fixture-flag: flag: expected yes or no');

    // And: without its registry line the action does not exist.
    const without = await fix([], ALL_ACTIONS);
    expect(without.code).toBe(2);
    expect(without.err).toMatch(/Unknown action "set-fixture-flag"\. Valid actions: set-eviction-policy, .*tune-aof\./);
    expect(await f.configGet(FIXTURE_PARAMETER)).toBe('no');
  });
});
