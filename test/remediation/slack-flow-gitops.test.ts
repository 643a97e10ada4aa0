// A fix whose ConfigMap Argo CD manages, through the real Bolt app: the preview modal says that a direct
// patch is undone at the next sync and shows the edit for Git; the apply sets the live value and never
// PATCHes the ConfigMap (remediation.gitops from the config file reaches the actions). See slack-flow-harness.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configMapObject } from '../fakes/kube-api.js';
import { NS, REDIS_CM, REDIS_CONF, SRE, standardAccess, startFlow, textOf, type Flow } from './slack-flow-harness.js';

const TRACKING = { 'argocd.argoproj.io/tracking-id': `sessions:/ConfigMap:${NS}/${REDIS_CM}` };

function argoManaged(f: Flow) {
  f.kube.setConfigMap(configMapObject({ name: REDIS_CM, data: { 'redis.conf': REDIS_CONF }, annotations: TRACKING }));
}

describe('remediation of an Argo CD-managed ConfigMap (default policy)', () => {
  let f: Flow;
  beforeAll(async () => {
    f = await startFlow({ envs: { dev: { profile: 'development' } }, access: standardAccess(['dev']) });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    await f.reset();
    argoManaged(f);
  });

  it('previews the warning and the edit for Git, then applies the live value only', async () => {
    // Given: a report in dev; the Redis ConfigMap carries Argo CD's tracking-id.
    const report = await f.diagnose('dev');

    // When: SRE opens the preview.
    const view = await f.openPreview(SRE, report);

    // Then: the warning, the edit for Git with its diff, and no ConfigMap among the changes.
    const shown = JSON.stringify(view.blocks);
    expect(shown).toContain(
      'ConfigMap \\"redis-session-config\\" is managed by Argo CD application \\"sessions\\" ' +
        '(annotation argocd.argoproj.io/tracking-id): a direct patch is undone at the next sync.',
    );
    expect(shown).toContain(
      '*For Git:* ConfigMap langgraph-agent/redis-session-config key redis.conf, managed by Argo CD application ' +
        '\\"sessions\\" (annotation argocd.argoproj.io/tracking-id): not patched by the bot',
    );
    expect(shown).toContain('+maxmemory-policy volatile-lru');
    expect(shown).not.toContain('(resourceVersion ');

    // When: SRE submits it.
    const applied = await f.requestFix(SRE, report, 'volatile-lru');
    await f.bot.idle();

    // Then: the live value changed, the ConfigMap was never patched.
    expect(textOf(applied)).toMatch(/Applied set-eviction-policy in dev/);
    expect(await f.configGet('maxmemory-policy')).toBe('volatile-lru');
    expect(f.patches()).toEqual([]);
    expect(f.conf()).toBe(REDIS_CONF);
  });
});

describe('remediation of an Argo CD-managed ConfigMap with remediation.gitops.allowDirectPatch', () => {
  let f: Flow;
  beforeAll(async () => {
    f = await startFlow({
      envs: { dev: { profile: 'development' } },
      access: standardAccess(['dev']),
      remediation: { gitops: { allowDirectPatch: true } },
    });
  });
  afterAll(async () => {
    await f?.close();
  });
  beforeEach(async () => {
    await f.reset();
    argoManaged(f);
  });

  it('previews the patch with the warning that the next sync undoes it, and patches', async () => {
    const report = await f.diagnose('dev');
    const view = await f.openPreview(SRE, report);
    const shown = JSON.stringify(view.blocks);
    expect(shown).toContain('remediation.gitops.allowDirectPatch is true, so the bot patches it anyway');
    expect(shown).toContain('(resourceVersion ');
    await f.requestFix(SRE, report, 'volatile-lru');
    await f.bot.idle();
    expect(f.patches()).toHaveLength(1);
    expect(f.conf()).toContain('\nmaxmemory-policy volatile-lru\n');
  });
});
