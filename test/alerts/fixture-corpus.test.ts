import { describe, expect, it } from 'vitest';
import { alertKind } from '../../src/alerts/alert-kinds.js';
import { parseAlertmanagerWebhook, webhookToAlertPost } from '../../src/alerts/alertmanager-webhook.js';
import { createEnvironmentResolver } from '../../src/alerts/environment-mapping.js';
import { parseAlertPost } from '../../src/chat/slack/alert-posts/parse-alert-post.js';
import { CORPUS_ROUTING, loadCorpus, type ExpectedAlert, type ExpectedPost } from './corpus.js';

type ExpectedWebhook =
  | { ok: false; reasonIncludes: string[] }
  | {
      ok: true;
      status: 'firing' | 'resolved';
      firingCount: number;
      groupLabels: Record<string, string>;
      alerts: ExpectedAlert[];
    };

const resolver = createEnvironmentResolver(CORPUS_ROUTING);
const slackCorpus = loadCorpus<ExpectedPost>('slack');
const webhookCorpus = loadCorpus<ExpectedWebhook>('alertmanager');

describe('Slack alert post corpus', () => {
  it('holds the cases the parser promises to handle', () => {
    expect(slackCorpus.length).toBeGreaterThanOrEqual(17);
    expect(slackCorpus.filter((f) => f.expected.alertPost).length).toBeGreaterThanOrEqual(11);
    expect(slackCorpus.filter((f) => !f.expected.alertPost).length).toBeGreaterThanOrEqual(5);
  });

  it.each(slackCorpus.map((f) => [f.name, f] as const))('%s', (_name, { input, expected }) => {
    // Given a message event as Slack delivers it, when it is parsed,
    const before = structuredClone(input);
    const post = parseAlertPost(input);
    // then the input is left as it was
    expect(input).toEqual(before);

    if (!expected.alertPost) {
      expect(post).toBeUndefined();
      return;
    }
    // and the post reads as the expectations file says.
    expect(post).toBeDefined();
    if (!post) return;
    expect(post.origin).toBe('slack');
    expect(post.status).toBe(expected.status);
    expect(post.firingCount).toBe(expected.firingCount);
    expect(post.fromBot).toBe(expected.fromBot);
    expect(post.groupValues).toEqual(expected.groupValues);
    expect(post.ts).toBe((input as { ts: string }).ts);
    expect(post.channel).toBe((input as { channel: string }).channel);
    expect(post.threadTs).toBe(expected.threadTs);
    expect(post.alerts).toEqual(
      expected.alerts.map(({ alertname, status, labels, annotations }) =>
        annotations ? { alertname, status, labels, annotations } : { alertname, status, labels },
      ),
    );
    expect(resolver.resolvePost(post).map((r) => r.resolution.env ?? null)).toEqual(expected.alerts.map((a) => a.env));
    expect(post.alerts.map((a) => alertKind(a.alertname)?.alertname ?? null)).toEqual(
      expected.alerts.map((a) => a.kind),
    );
  });
});

describe('Alertmanager webhook corpus', () => {
  it('holds firing, resolved and malformed payloads', () => {
    expect(webhookCorpus.map((f) => f.expected.ok)).toEqual(expect.arrayContaining([true, false]));
    expect(webhookCorpus.length).toBeGreaterThanOrEqual(3);
  });

  it.each(webhookCorpus.map((f) => [f.name, f] as const))('%s', (_name, { input, expected }) => {
    const before = structuredClone(input);
    const result = parseAlertmanagerWebhook(input);
    expect(input).toEqual(before);

    if (!expected.ok) {
      expect(result.ok).toBe(false);
      if (result.ok) return;
      for (const part of expected.reasonIncludes) expect(result.reason).toContain(part);
      return;
    }
    expect(result.ok ? undefined : result.reason).toBeUndefined();
    if (!result.ok) return;
    const post = webhookToAlertPost(result.value);
    expect(post).toMatchObject({ origin: 'alertmanager', fromBot: true, groupValues: [] });
    expect(post.status).toBe(expected.status);
    expect(post.firingCount).toBe(expected.firingCount);
    expect(post.groupLabels).toEqual(expected.groupLabels);
    const sent = (input as { alerts: Array<{ annotations: Record<string, string> }> }).alerts;
    expect(post.alerts).toEqual(
      expected.alerts.map(({ alertname, status, labels }, i) => ({
        alertname,
        status,
        labels,
        annotations: sent[i]?.annotations,
      })),
    );
    expect(resolver.resolvePost(post).map((r) => r.resolution.env ?? null)).toEqual(expected.alerts.map((a) => a.env));
    expect(post.alerts.map((a) => alertKind(a.alertname)?.alertname ?? null)).toEqual(
      expected.alerts.map((a) => a.kind),
    );
  });
});
