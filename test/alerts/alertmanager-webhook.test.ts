import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  looksLikeAlertmanagerWebhook,
  MAX_WEBHOOK_ALERTS,
  parseAlertmanagerWebhook,
  webhookToAlertPost,
} from '../../src/alerts/alertmanager-webhook.js';
import { FIXTURES_DIR } from './corpus.js';

/** A fresh copy of the firing fixture, to plant one fault in. */
function firing(): Record<string, any> {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'alertmanager', 'firing.json'), 'utf8'));
}

function reasonFor(body: unknown): string {
  const r = parseAlertmanagerWebhook(body);
  if (r.ok) throw new Error('expected the payload to be refused');
  return r.reason;
}

const faults: Array<[string, (b: Record<string, any>) => unknown, string]> = [
  [
    'labels not an object',
    (b) => ((b.alerts[0].labels = 'env=prod'), b),
    'alerts.0.labels: expected object, got string',
  ],
  [
    'a label value not a string',
    (b) => ((b.alerts[1].labels.env = 3), b),
    'alerts.1.labels.env: expected a string value, got number',
  ],
  [
    'annotations missing',
    (b) => (delete b.alerts[0].annotations, b),
    'alerts.0.annotations: missing (expected object)',
  ],
  [
    'alert status unknown',
    (b) => ((b.alerts[0].status = 'pending'), b),
    'alerts.0.status: expected "firing" or "resolved"',
  ],
  ['alerts not an array', (b) => ((b.alerts = {}), b), 'alerts: expected array, got object'],
  [
    'startsAt a number',
    (b) => ((b.alerts[0].startsAt = 1718031234), b),
    'alerts.0.startsAt: expected string, got number',
  ],
  ['groupLabels null', (b) => ((b.groupLabels = null), b), 'groupLabels: expected object, got null'],
  ['wrong version', (b) => ((b.version = 4), b), 'version: expected "4" (Alertmanager webhook payload version 4)'],
  ['negative truncatedAlerts', (b) => ((b.truncatedAlerts = -1), b), 'truncatedAlerts:'],
  ['a JSON array', () => [firing()], '(top level): expected a JSON object, got array'],
  ['a string', () => 'version=4', '(top level): expected a JSON object, got string'],
  ['null', () => null, '(top level): expected a JSON object, got null'],
];

describe('parseAlertmanagerWebhook', () => {
  it('accepts a version 4 payload and keeps fields it does not know (Grafana adds some)', () => {
    const body = { ...firing(), orgId: 1, title: '[FIRING:1] SessionTTLViolations' };
    const r = parseAlertmanagerWebhook(body);
    expect(r.ok && r.value).toMatchObject({ version: '4', receiver: 'session-ttl-bot', orgId: 1, truncatedAlerts: 0 });
  });

  it('defaults truncatedAlerts (absent before Alertmanager 0.22) and accepts alerts without fingerprint', () => {
    const body = firing();
    delete body.truncatedAlerts;
    delete body.alerts[0].fingerprint;
    delete body.alerts[0].generatorURL;
    const r = parseAlertmanagerWebhook(body);
    expect(r.ok && r.value.truncatedAlerts).toBe(0);
  });

  it.each(faults)('names the field path: %s', (_name, plant, reason) => {
    // Given a valid payload with one planted fault, when validated, then the reason names the field,
    expect(parseAlertmanagerWebhook(firing()).ok).toBe(true);
    const body = plant(firing());
    const before = structuredClone(body);
    expect(reasonFor(body)).toContain(reason);
    // and the body is left as it was.
    expect(body).toEqual(before);
  });

  it('lists at most five issues and counts the rest', () => {
    const reason = reasonFor({ version: '4' });
    expect(reason.split('; ')).toHaveLength(5);
    expect(reason).toMatch(/\(and \d+ more\)$/);
    expect(reason).toContain('groupKey: missing (expected string)');
  });

  it(`refuses more than ${MAX_WEBHOOK_ALERTS} alerts`, () => {
    const body = firing();
    body.alerts = Array.from({ length: MAX_WEBHOOK_ALERTS + 1 }, () => body.alerts[0]);
    expect(reasonFor(body)).toBe(`alerts: expected at most ${MAX_WEBHOOK_ALERTS} alerts`);
  });
});

describe('looksLikeAlertmanagerWebhook (the quick test that lets the webhook answer before the full validation)', () => {
  const more: Array<[string, (b: Record<string, any>) => unknown]> = [
    ['generatorURL a number', (b) => ((b.alerts[0].generatorURL = 1), b)],
    ['fingerprint null', (b) => ((b.alerts[0].fingerprint = null), b)],
    ['truncatedAlerts 1.5', (b) => ((b.truncatedAlerts = 1.5), b)],
    ['an alert that is an array', (b) => ((b.alerts[0] = []), b)],
    ['commonAnnotations an array', (b) => ((b.commonAnnotations = []), b)],
    ['externalURL missing', (b) => (delete b.externalURL, b)],
    ['receiver a number', (b) => ((b.receiver = 1), b)],
    ['too many alerts', (b) => ((b.alerts = Array.from({ length: MAX_WEBHOOK_ALERTS + 1 }, () => b.alerts[0])), b)],
  ];
  const valid: Array<[string, () => Record<string, any>]> = [
    ['the firing fixture', firing],
    [
      'the resolved fixture',
      () => JSON.parse(readFileSync(join(FIXTURES_DIR, 'alertmanager', 'resolved.json'), 'utf8')),
    ],
    ['unknown fields kept', () => ({ ...firing(), orgId: 1 })],
    [
      'no truncatedAlerts, fingerprint or generatorURL',
      () => {
        const b = firing();
        delete b.truncatedAlerts;
        delete b.alerts[0].fingerprint;
        delete b.alerts[0].generatorURL;
        return b;
      },
    ],
    ['no alerts', () => ({ ...firing(), alerts: [] })],
  ];

  it.each(valid)('passes what the schema accepts, so a valid body takes the quick path: %s', (_name, make) => {
    const body = make();
    expect(parseAlertmanagerWebhook(body).ok).toBe(true);
    expect(looksLikeAlertmanagerWebhook(body)).toBe(true);
  });

  it.each([...faults.map(([name, plant]) => [name, plant] as const), ...more])(
    'never passes what the schema refuses: %s',
    (_name, plant) => {
      const body = plant(firing());
      expect(parseAlertmanagerWebhook(body).ok).toBe(false);
      expect(looksLikeAlertmanagerWebhook(body)).toBe(false);
    },
  );
});

describe('webhookToAlertPost', () => {
  it('gives the same shape as a Slack post, counting firing alerts', () => {
    const r = parseAlertmanagerWebhook(firing());
    if (!r.ok) throw new Error(r.reason);
    const post = webhookToAlertPost(r.value);
    expect(post).toMatchObject({
      origin: 'alertmanager',
      fromBot: true,
      status: 'firing',
      firingCount: 1,
      groupLabels: { alertname: 'SessionTTLViolations' },
      groupValues: [],
    });
    expect(post.alerts.map((a) => [a.alertname, a.status, a.labels.env])).toEqual([
      ['SessionTTLViolations', 'firing', 'prod'],
      ['SessionTTLViolations', 'resolved', 'staging'],
    ]);
    expect(post.alerts[0]?.annotations?.runbook_url).toBe(
      'https://runbooks.example.com/alerts/runbook-session-ttl-violations',
    );
  });

  it("gives an alert without an alertname label the group's, and leaves it out when there is none", () => {
    const body = firing();
    delete body.alerts[0].labels.alertname;
    const r = parseAlertmanagerWebhook(body);
    if (!r.ok) throw new Error(r.reason);
    expect(webhookToAlertPost(r.value).alerts[0]?.labels.alertname).toBe('SessionTTLViolations');

    body.groupLabels = {};
    body.commonLabels = {};
    const r2 = parseAlertmanagerWebhook(body);
    if (!r2.ok) throw new Error(r2.reason);
    expect(webhookToAlertPost(r2.value).alerts.map((a) => a.labels.env)).toEqual(['staging']);
  });
});
