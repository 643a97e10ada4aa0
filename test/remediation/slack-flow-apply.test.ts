// Applying through the real Bolt app: what changes (one redis.conf line, the live value), what stops an
// apply (the environment moved since the preview, Redis down), undo, and dry run. See slack-flow-harness.ts.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startRedisServer, type RedisServerHandle } from '../support/redis-server.js';
import {
  buttonOf,
  buttonsOf,
  REDIS_CM,
  REDIS_CONF,
  refOf,
  SRE,
  SRE2,
  standardAccess,
  startFlow,
  textOf,
  type Flow,
} from './slack-flow-harness.js';

/** The ConfigMap as someone else edits it: new content, new resourceVersion. */
function editConfigMap(f: Flow, conf: string) {
  f.kube.setConfigMap({ ...f.kube.getConfigMap(REDIS_CM), metadata: { name: REDIS_CM }, data: { 'redis.conf': conf } });
}

describe('remediation apply, revert and what stops an apply', () => {
  let f: Flow;
  let edge: RedisServerHandle;
  let edgeRedis: Redis;
  beforeAll(async () => {
    // `edge` is a production environment on a redis-server of its own, which a test stops.
    edge = await startRedisServer();
    f = await startFlow({
      envs: { dev: { profile: 'development' }, edge: { profile: 'production', redisUrl: edge.url } },
      access: standardAccess(['dev', 'edge']),
    });
  });
  afterAll(async () => {
    edgeRedis?.disconnect();
    await f?.close();
    await edge?.stop();
  });
  beforeEach(async () => {
    await f.reset();
  });

  it('changes exactly one line of redis.conf, as a merge patch against the previewed resourceVersion', async () => {
    // Given: a report in dev and the ConfigMap's resourceVersion at preview time.
    const report = await f.diagnose('dev');
    const view = await f.openPreview(SRE, report);
    const previewedVersion = f.kube.getConfigMap(REDIS_CM)?.metadata.resourceVersion;
    expect(JSON.stringify(view.blocks)).toContain('-maxmemory-policy allkeys-lru');
    expect(f.patches()).toEqual([]);

    // When: SRE submits the preview.
    const applied = await f.requestFix(SRE, report, 'volatile-lru');
    await f.bot.idle();

    // Then: one PATCH with only redis.conf, only the one directive differs, the live value changed.
    expect(textOf(applied)).toMatch(/Applied set-eviction-policy in dev/);
    const [patch] = f.patches();
    expect(f.patches()).toHaveLength(1);
    expect(patch?.headers['content-type']).toBe('application/merge-patch+json');
    const body = patch?.body as { metadata: { resourceVersion: string }; data: Record<string, string> };
    expect(body.metadata.resourceVersion).toBe(previewedVersion);
    expect(Object.keys(body.data)).toEqual(['redis.conf']);
    const before = REDIS_CONF.split('\n');
    const after = f.conf().split('\n');
    expect(after).toHaveLength(before.length);
    expect(after.map((l, i) => (l === before[i] ? null : [before[i], l])).filter(Boolean)).toEqual([
      ['maxmemory-policy allkeys-lru', 'maxmemory-policy volatile-lru'],
    ]);
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
    // The result says what the value was, not what it is now.
    expect(textOf(applied)).toMatch(/CONFIG SET maxmemory-policy volatile-lru on [\d.:]+ \(was allkeys-lru\)/);
    expect(textOf(applied)).toContain(
      'ConfigMap langgraph-agent/redis-session-config key redis.conf: maxmemory-policy volatile-lru',
    );
  });

  it('re-previews a changed parameter before anything happens, then applies the new value', async () => {
    // Given: the preview of volatile-lru is open.
    const report = await f.diagnose('dev');
    const view = await f.openPreview(SRE, report);

    // When: SRE picks volatile-ttl in the modal and submits.
    const res = await f.submit(SRE, view, 'volatile-ttl');

    // Then: the modal is replaced by a new preview (new pending id) and nothing changed yet.
    expect(res.json.response_action).toBe('update');
    expect(res.json.view.private_metadata).not.toBe(view.private_metadata);
    expect(JSON.stringify(res.json.view.blocks)).toContain('+maxmemory-policy volatile-ttl');
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(f.patches()).toEqual([]);

    // When: SRE submits the new preview as shown.
    await f.submit(SRE, res.json.view, 'volatile-ttl');
    await f.slack.waitFor('chat.postMessage', (c) => /Applied set-eviction-policy in dev/.test(textOf(c)));
    await f.bot.idle();

    // Then: the new value is live and in redis.conf; the audit names it.
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-ttl');
    expect(f.conf()).toContain('\nmaxmemory-policy volatile-ttl\n');
    expect((await f.audit('dev')).map((e) => [e.event, e.params])).toEqual([
      ['request', { policy: 'volatile-ttl' }],
      ['apply', { policy: 'volatile-ttl' }],
    ]);
  });

  it('applies nothing when the ConfigMap changed between the preview and the apply, and asks for a new preview', async () => {
    // Given: SRE opened the preview; then someone edits the ConfigMap.
    const report = await f.diagnose('dev');
    const view = await f.openPreview(SRE, report);
    const edited = `${REDIS_CONF}# tuned by hand\n`;
    editConfigMap(f, edited);

    // When: SRE submits the (now stale) preview.
    const told = await f.formAnswer(await f.submit(SRE, view));

    // Then: refused with "changed since the preview", review again; Redis and the ConfigMap untouched; a failure audited.
    expect(told).toMatch(/changed since the preview/);
    expect(told).toMatch(/Open the preview again/);
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(f.conf()).toBe(edited);
    expect(f.patches()).toEqual([]);
    expect(await f.configSets()).toBe(0);
    expect((await f.audit('dev')).map((e) => e.event)).toEqual(['request', 'failure']);
  });

  it('puts Redis back and says so when the API answers 409 to the PATCH itself', async () => {
    // Given: a preview; the ConfigMap moves between the bot's last read and its PATCH (the API says 409).
    const report = await f.diagnose('dev');
    const view = await f.openPreview(SRE, report);
    f.kube.failNextOn('PATCH', `/configmaps/${REDIS_CM}`, 409);

    // When: SRE submits.
    const told = await f.formAnswer(await f.submit(SRE, view));

    // Then: nothing was overwritten, the person is asked to review again, the live value is back.
    expect(told).toMatch(/Nothing was overwritten: open the preview again/);
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(f.conf()).toBe(REDIS_CONF);
    expect((await f.audit('dev')).map((e) => e.event)).toEqual(['request', 'failure']);
  });

  it('fails closed when Redis is down between the approval request and the approval', async () => {
    // Given: SRE requested the fix in edge (production, its own redis-server).
    edgeRedis = new Redis(edge.url);
    await edgeRedis.config('SET', 'maxmemory-policy', 'allkeys-lru');
    const report = await f.diagnose('edge');
    const approval = await f.requestFix(SRE, report);
    expect(textOf(approval)).toContain('1 approval needed');
    edgeRedis.disconnect();

    // When: that Redis stops, then SRE2 approves.
    await edge.stop();
    await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));

    // Then: a clear refusal naming Redis; the ConfigMap untouched; the failure audited; nothing posted as applied.
    const eph = await f.ephemeral(SRE2);
    expect(eph.body.text).toMatch(/Redis/);
    expect(eph.body.text).toMatch(/refused|unreachable|connect/i);
    await f.bot.idle();
    expect(f.conf()).toBe(REDIS_CONF);
    expect(f.patches()).toEqual([]);
    expect(f.slack.callsOf('chat.postMessage').filter((c) => /Applied/.test(textOf(c)))).toEqual([]);
    const audit = await f.audit('edge');
    expect(audit.map((e) => e.event)).toEqual(['request', 'approval', 'failure']);
    expect(audit[2]?.result).toBe(eph.body.text);
  });

  it('Revert restores the exact previous values (Redis and redis.conf); a second Revert does nothing', async () => {
    // Given: the fix was applied in dev.
    const report = await f.diagnose('dev');
    const applied = await f.requestFix(SRE, report);
    await f.bot.idle();
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
    const revert = buttonOf(applied, 'revert');

    // When: SRE2 (may request in dev) clicks Revert.
    await f.click(SRE2, revert, refOf(applied));
    const reverted = await f.slack.waitFor('chat.postMessage', (c) =>
      /Reverted set-eviction-policy in dev/.test(textOf(c)),
    );
    await f.bot.idle();

    // Then: the previous values are back, byte for byte, posted in the thread with who reverted.
    expect(reverted.body.thread_ts).toBe(refOf(applied).ts);
    expect(textOf(reverted)).toContain(`Reverted by <@${SRE2}>`);
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(f.conf()).toBe(REDIS_CONF);
    expect(f.patches()).toHaveLength(2);
    const sets = await f.configSets();

    // When: Revert is clicked again.
    await f.click(SRE, revert, refOf(applied));

    // Then: "already done", nothing changes.
    const eph = await f.ephemeral(SRE);
    expect(eph.body.text).toMatch(/already done/);
    await f.bot.idle();
    expect(f.patches()).toHaveLength(2);
    expect(await f.configSets()).toBe(sets);
    expect((await f.audit('dev')).map((e) => e.event)).toEqual(['request', 'apply', 'revert']);
  });
});

describe('remediation dry run (remediation.dryRun)', () => {
  let f: Flow;
  beforeAll(async () => {
    f = await startFlow({ access: standardAccess(['dev', 'prod']), remediation: { dryRun: true } });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    await f.reset();
  });

  it('runs the whole flow (preview, request, approval, apply) and changes nothing; the audit says dryRun', async () => {
    // Given: a report in prod; the preview says it is a dry run.
    const report = await f.diagnose('prod');
    const view = await f.openPreview(SRE, report);
    expect(JSON.stringify(view.blocks)).toMatch(/Dry run: nothing will be changed/);

    // When: SRE requests, SRE2 approves.
    const approval = await f.requestFix(SRE, report);
    await f.click(SRE2, buttonOf(approval, 'approve'), refOf(approval));
    const result = await f.slack.waitFor('chat.postMessage', (c) => /Dry run of set-eviction-policy/.test(textOf(c)));
    await f.bot.idle();

    // Then: nothing changed, no Revert offered, every audit entry is marked dryRun.
    expect(textOf(result)).toMatch(/nothing was changed/);
    expect(buttonsOf(result)).toEqual([]);
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(f.conf()).toBe(REDIS_CONF);
    expect(f.patches()).toEqual([]);
    expect(await f.configSets()).toBe(0);
    const audit = await f.audit('prod');
    expect(audit.map((e) => [e.event, e.dryRun])).toEqual([
      ['request', true],
      ['approval', true],
      ['apply', true],
    ]);
    expect(audit[2]?.result).toMatch(/dry run/);
    // The dry run's apply records what it would have changed.
    expect(audit[2]?.changes?.map((c) => c.kind)).toEqual(['redis-config', 'configmap']);
  });
});
