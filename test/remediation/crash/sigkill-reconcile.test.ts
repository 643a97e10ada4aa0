// Issue 19, "a remediation that survives a crash": a replica SIGKILLed between CONFIG SET and the ConfigMap
// PATCH. Two replicas share the state Redis, the fake Slack and the fake Kubernetes API: the in-process bot of
// the flow harness (it previews, requests, and survives) and a spawned `src/main.ts` process (it receives the
// approval and dies applying it). The survivor's reconciler takes the apply over once its lease expired, reads
// the real state, audits it, finishes the pending record and posts in the thread with Finish and Revert.
// On the main before this change: live Redis changed, ConfigMap not, the record stuck `applying`, nothing said.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATE_KEY_PREFIX } from '../../../src/core/ports/state-store.js';
import type { SlackApiCall } from '../../fakes/slack-api.js';
import { sendSigned } from '../../fakes/slack-signing.js';
import { startBotProcess, type BotProcess } from '../../support/bot-process.js';
import { eventually } from '../../support/eventually.js';
import { sharedRedisUrl } from '../../support/shared-redis.js';
import {
  buttonOf,
  buttonsOf,
  CHANNEL,
  NS,
  REDIS_CM,
  REDIS_CONF,
  refOf,
  SECRET,
  SRE,
  SRE2,
  SRE3,
  standardAccess,
  startFlow,
  STRANGER,
  textOf,
  type Flow,
} from '../slack-flow-harness.js';

/** Short, so the survivor takes over within seconds; long enough that a loaded machine renews it in time. */
const LEASE_SECONDS = 5;
const REMEDIATION = { applyLeaseSeconds: LEASE_SECONDS, reconcileEverySeconds: 1 };
/** prod's reverts need no approval here, so Revert restores at once. */
function access() {
  const a = standardAccess(['dev', 'prod']);
  a.environments.prod = { ...a.environments.prod, revert: 'request' } as never;
  return a;
}

/** `src/main.ts` as its own process on the flow's fake Slack, fake Kubernetes API and shared state Redis. */
async function spawnReplica(f: Flow, dir: string): Promise<BotProcess> {
  const kubeconfig = join(dir, 'kubeconfig.json');
  writeFileSync(kubeconfig, f.kube.kubeConfig().exportConfig());
  const redis = { url: sharedRedisUrl(), connectTimeoutMs: 2000 };
  // A long Kubernetes timeout: the held PATCH is still in flight when the process is killed.
  const kubernetes = { kubeconfig, namespace: NS, requestTimeoutMs: 120_000 };
  return startBotProcess({
    config: {
      environments: { dev: { profile: 'development', redis }, prod: { profile: 'production', redis, kubernetes } },
      slack: { incidentChannels: [CHANNEL] },
      access: access(),
      remediation: REMEDIATION,
    },
    slackApiUrl: f.slack.apiUrl,
    // Signed like the flow's clicks, so either replica takes them.
    env: { SLACK_SIGNING_SECRET: SECRET, STATE_REDIS_URL: sharedRedisUrl() },
  });
}

describe('a replica SIGKILLed between CONFIG SET and the ConfigMap PATCH (issue 19)', () => {
  let f: Flow;
  let dir: string;
  const replicas: BotProcess[] = [];
  beforeAll(async () => {
    f = await startFlow({ access: access(), remediation: REMEDIATION });
    dir = mkdtempSync(join(tmpdir(), 'sigkill-reconcile-'));
  });
  afterAll(async () => {
    await Promise.all(replicas.map((r) => r.kill()));
    await f?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /**
   * set-eviction-policy requested in prod on the survivor, approved on the spawned replica, which is killed
   * once Redis is changed and the PATCH is in flight; resolves with the survivor's post about it and the report.
   */
  async function interruptedApply(): Promise<{ report: SlackApiCall; approval: SlackApiCall; post: SlackApiCall }> {
    await f.reset();
    const replica = await spawnReplica(f, dir);
    replicas.push(replica);
    const report = await f.diagnose('prod');
    const approval = await f.requestFix(SRE, report);
    f.kube.delayNextOn('PATCH', `/configmaps/${REDIS_CM}`, 'never');
    const click = f.clickRequest(SRE2, buttonOf(approval, 'approve'), refOf(approval));
    const res = await sendSigned({ ...click, url: click.url.replace(f.baseUrl, replica.url) });
    expect(res.status).toBe(200);
    await eventually(
      'CONFIG SET done and the PATCH in flight',
      async () => {
        return f.kube.delayed > 0 && (await f.configGet('maxmemory-policy')) === 'volatile-lru';
      },
      { timeoutMs: 30_000, detail: replica.output },
    );
    await replica.kill();
    const post = await f.slack.waitFor(
      'chat.postMessage',
      (c) => /was interrupted/.test(textOf(c)),
      (LEASE_SECONDS + 30) * 1000,
    );
    return { report, approval, post };
  }

  it(
    'the survivor takes it over: audits what it found, finishes the record, posts with Finish and Revert; a stranger is refused; Finish makes the rest',
    { timeout: 240_000 },
    async () => {
      // Given/When: the apply interrupted by the SIGKILL.
      const { report, approval, post } = await interruptedApply();

      // Then: in the request's thread, what the survivor found, with Finish and Revert.
      expect(post.body.thread_ts).toBe(refOf(report).ts);
      expect(textOf(post)).toContain(
        'The apply of set-eviction-policy in prod was interrupted: Redis changed, ConfigMap not',
      );
      expect(buttonsOf(post).map((b) => b.action_id)).toEqual(['finish', 'revert']);
      expect(f.conf()).toBe(REDIS_CONF);
      const interrupted = (await f.audit('prod')).find((e) => e.event === 'interrupted');
      expect(interrupted?.changes?.map((c) => c.kind)).toEqual(['redis-config']);
      // Then: the record is finished: a late approval is told what happened, not "being applied" for 24 h.
      const pendingId = String(buttonOf(approval, 'approve').value);
      const record = JSON.parse((await f.redis.get(`${STATE_KEY_PREFIX}remediation:pending:${pendingId}`)) ?? '{}');
      expect(record.status).toBe('failed');
      await f.click(SRE3, buttonOf(approval, 'approve'), refOf(approval));
      const late = await f.ephemeral(SRE3);
      expect(textOf(late)).toMatch(/it failed: interrupted: Redis changed, ConfigMap not/);

      // When: a user the policy does not let approve clicks Finish.
      await f.click(STRANGER, buttonOf(post, 'finish'), refOf(post));
      // Then: refused, and nothing changed.
      expect(textOf(await f.ephemeral(STRANGER))).toMatch(/access\.environments\.prod\.approve/);
      await f.bot.idle();
      expect(f.conf()).toBe(REDIS_CONF);
      expect((await f.audit('prod')).some((e) => e.event === 'denial' && e.actor.userId === STRANGER)).toBe(true);

      // When: SRE2 clicks Finish.
      await f.click(SRE2, buttonOf(post, 'finish'), refOf(post));
      // Then: the ConfigMap is patched (Redis was already changed); the thread says so, with Revert.
      const finished = await f.slack.waitFor('chat.postMessage', (c) =>
        /Finished the interrupted apply/.test(textOf(c)),
      );
      expect(finished.body.thread_ts).toBe(refOf(report).ts);
      expect(f.conf()).toContain('maxmemory-policy volatile-lru');
      expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
      expect(buttonOf(finished, 'revert').value).toBeTruthy();
      // Then: a second Finish does nothing more.
      await f.click(SRE2, buttonOf(post, 'finish'), refOf(post));
      expect(textOf(await f.ephemeral(SRE2, (t) => /already settled/.test(t)))).toMatch(/already settled/);
    },
  );

  it('Revert on the interrupted post puts back what changed', { timeout: 240_000 }, async () => {
    // Given/When: another apply interrupted by a SIGKILL.
    const { post } = await interruptedApply();
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');

    // When: SRE clicks Revert.
    await f.click(SRE, buttonOf(post, 'revert'), refOf(post));

    // Then: Redis is back; the ConfigMap was never changed; Finish is refused from now on.
    await f.slack.waitFor('chat.postMessage', (c) => /Reverted set-eviction-policy in prod/.test(textOf(c)));
    expect(await f.configGet('maxmemory-policy')).toBe('allkeys-lru');
    expect(f.conf()).toBe(REDIS_CONF);
    await f.click(SRE2, buttonOf(post, 'finish'), refOf(post));
    expect(textOf(await f.ephemeral(SRE2))).toMatch(/already settled/);
    expect(f.conf()).toBe(REDIS_CONF);
  });
});
