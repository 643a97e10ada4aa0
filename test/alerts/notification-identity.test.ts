import { describe, expect, it } from 'vitest';
import { parseAlertmanagerWebhook, type AlertmanagerWebhook } from '../../src/alerts/alertmanager-webhook.js';
import {
  isSameNotification,
  SAME_START_TOLERANCE_MS,
  summarizeNotification,
} from '../../src/alerts/notification-identity.js';
import { loadCorpus } from './corpus.js';

const firing = loadCorpus<unknown>('alertmanager').find((f) => f.name === 'firing')!.input;

function webhook(change: (w: Record<string, any>) => void = () => undefined): AlertmanagerWebhook {
  const body = structuredClone(firing) as Record<string, any>;
  change(body);
  const parsed = parseAlertmanagerWebhook(body);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.value;
}

const shiftStart = (a: Record<string, any>, ms: number) => {
  a.startsAt = new Date(Date.parse(String(a.startsAt)) + ms).toISOString();
};

describe('isSameNotification: an HA copy or a retry versus a re-fire', () => {
  const base = summarizeNotification(webhook());
  const cases: [string, (w: Record<string, any>) => void, boolean][] = [
    ['the very same body', () => undefined, true],
    [
      'another peer: its own externalURL, alerts in another order, newer annotations',
      (w) => {
        w.externalURL = 'http://alertmanager-1:9093';
        w.alerts.reverse();
        w.alerts[0].annotations.description = 'value 0.53';
      },
      true,
    ],
    ['an alert dated by the peer a few ms later', (w) => shiftStart(w.alerts[0], 7), true],
    [
      'a resolved alert whose end the peer dated itself',
      (w) => (w.alerts[1].endsAt = '2024-06-10T14:20:27.001Z'),
      true,
    ],
    [
      'no fingerprints (before 0.19): the label sets decide',
      (w) => {
        for (const a of w.alerts) delete a.fingerprint;
      },
      false,
    ],
    [
      'the same alert starting again later (a re-fire)',
      (w) => shiftStart(w.alerts[0], SAME_START_TOLERANCE_MS + 1),
      false,
    ],
    ['a new alert in the group', (w) => w.alerts.push({ ...w.alerts[0], fingerprint: 'ffff000011112222' }), false],
    ['an alert that resolved', (w) => (w.alerts[0].status = 'resolved'), false],
    ['the group resolved', (w) => (w.status = 'resolved'), false],
    ['more alerts left out by max_alerts', (w) => (w.truncatedAlerts = 3), false],
  ];
  it.each(cases)('%s', (_, change, same) => {
    expect(isSameNotification(base, summarizeNotification(webhook(change)))).toBe(same);
  });

  it('without fingerprints, two copies with the labels in another order are the same', () => {
    const strip = (w: Record<string, any>) => {
      for (const a of w.alerts) delete a.fingerprint;
    };
    const reordered = (w: Record<string, any>) => {
      strip(w);
      w.alerts[0].labels = Object.fromEntries(Object.entries(w.alerts[0].labels as object).reverse());
    };
    expect(isSameNotification(summarizeNotification(webhook(strip)), summarizeNotification(webhook(reordered)))).toBe(
      true,
    );
  });
});
