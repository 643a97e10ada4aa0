// What the state store holds is checked when it is read back: a plan or revert record that fails its
// schema (altered in Redis, or written by another version) is refused with a logged reason and a clear
// message, and nothing is applied or reverted. Real Bolt app, real state Redis. See slack-flow-harness.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { STATE_KEY_PREFIX } from '../../src/core/ports/state-store.js';
import { captureLogs, type CapturedLogs } from '../chat/slack/log-capture.js';
import { buttonOf, refOf, SRE, SRE2, standardAccess, startFlow, textOf, type Flow } from './slack-flow-harness.js';

describe('stored plans and revert records are validated when read back', () => {
  let f: Flow;
  let logs: CapturedLogs;
  beforeAll(async () => {
    logs = captureLogs('info');
    f = await startFlow({ access: standardAccess(['dev', 'prod']), logger: logs.logger });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    await f.reset();
    logs.lines.length = 0;
  });

  /** Rewrites the JSON stored under `key` (state-store key, without the prefix). */
  async function tamper(key: string, edit: (json: any) => void): Promise<void> {
    const full = `${STATE_KEY_PREFIX}${key}`;
    const ttl = await f.redis.pttl(full);
    const json = JSON.parse((await f.redis.get(full)) as string);
    edit(json);
    await f.redis.set(full, JSON.stringify(json), 'PX', ttl);
  }

  const refusals = (what: string) =>
    logs.lines.filter((l) => l.level === 50 && l.msg === `remediation: the stored ${what} failed validation; refused`);

  it('refuses to apply a stored plan whose change has an unknown kind: logged, told, nothing changes', async () => {
    // Given: the preview in dev (no approval needed), and its stored plan altered to a kind the bot does not know.
    const report = await f.diagnose('dev');
    const view = await f.openPreview(SRE, report);
    const pendingId = view.private_metadata as string;
    await tamper(`remediation:plan:${pendingId}`, (plan) => {
      plan.changes[0].kind = 'flush-all';
    });

    // When: SRE submits the preview.
    const told = await f.formAnswer(await f.submit(SRE, view));
    await f.bot.idle();

    // Then: the person is told why and what to do; Redis and the ConfigMap are untouched.
    expect(told).toContain('The stored preview of this request failed validation');
    expect(told).toContain('nothing was applied. Open the preview again');
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(await f.configSets()).toBe(0);
    expect(f.patches()).toEqual([]);
    // And: the log names the key and the zod issue, and none of the stored values.
    const [line] = refusals('plan');
    expect(line?.key).toBe(`remediation:plan:${pendingId}`);
    expect(line?.issues).toEqual([expect.objectContaining({ path: 'changes.0.kind' })]);
    expect(JSON.stringify(line)).not.toMatch(/allkeys-lru|volatile-lru|flush-all/);
    expect((await f.audit('dev')).map((e) => [e.event, e.result])).toEqual([
      ['failure', expect.stringContaining('failed validation')],
    ]);
  });

  it('refuses the apply an approval would start when the stored plan lost a field since the request', async () => {
    // Given: a prod request waiting for its approval; then the stored plan loses a change's `before`.
    const report = await f.diagnose('prod');
    const approval = await f.requestFix(SRE, report);
    const pendingId = buttonOf(approval, 'approve').value;
    await tamper(`remediation:plan:${pendingId}`, (plan) => {
      delete plan.changes[0].before;
    });

    // When: SRE2 approves (the last approval applies).
    await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));
    const told = await f.ephemeral(SRE2, (t) => /failed validation/.test(t));
    await f.bot.idle();

    // Then: refused and logged; nothing changed; the request is finished as failed and audited.
    expect(told.body.text).toContain('nothing was applied');
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(await f.configSets()).toBe(0);
    expect(f.patches()).toEqual([]);
    expect(refusals('plan').map((l) => l.issues)).toContainEqual([
      expect.objectContaining({ path: 'changes.0.before' }),
    ]);
    expect((await f.audit('prod')).map((e) => e.event)).toEqual(['request', 'approval', 'failure']);
  });

  it('refuses to revert from a record whose change lost its `before`: logged, told, the value stays', async () => {
    // Given: set-eviction-policy applied in dev, and its revert record altered.
    const report = await f.diagnose('dev');
    const applied = await f.requestFix(SRE, report);
    await f.bot.idle();
    expect(textOf(applied)).toMatch(/Applied set-eviction-policy in dev/);
    const revertId = buttonOf(applied, 'revert').value;
    await tamper(`remediation:revert:${revertId}`, (stored) => {
      delete stored.record.changes[0].before;
    });
    const setsBefore = await f.configSets();

    // When: SRE clicks Revert.
    await f.click(SRE, buttonOf(applied, 'revert'), refOf(applied));
    const told = await f.ephemeral(SRE, (t) => /failed validation/.test(t));
    await f.bot.idle();

    // Then: nothing was reverted; the person is told where the previous values are; the log says why.
    expect(told.body.text).toContain('The record of this change failed validation');
    expect(told.body.text).toContain('nothing was reverted');
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
    expect(await f.configSets()).toBe(setsBefore);
    const [line] = refusals('revert record');
    expect(line?.key).toBe(`remediation:revert:${revertId}`);
    expect(line?.issues).toEqual([expect.objectContaining({ path: 'record.changes.0.before' })]);
    // And: the record is left where it is (for whoever investigates), and no revert was audited.
    expect(await f.redis.exists(`${STATE_KEY_PREFIX}remediation:revert:${revertId}`)).toBe(1);
    expect((await f.audit('dev')).map((e) => e.event)).toEqual(['request', 'apply']);
  });

  it('refuses a stored record that is not JSON at all', async () => {
    const report = await f.diagnose('dev');
    const view = await f.openPreview(SRE, report);
    const key = `${STATE_KEY_PREFIX}remediation:plan:${view.private_metadata as string}`;
    await f.redis.set(key, '{"changes": [', 'KEEPTTL');
    expect(await f.formAnswer(await f.submit(SRE, view))).toMatch(/failed validation/);
    await f.bot.idle();
    expect(await f.configSets()).toBe(0);
    expect(logs.lines.some((l) => l.level === 50 && /stored plan is not JSON/.test(String(l.msg)))).toBe(true);
  });
});
