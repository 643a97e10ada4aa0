import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCorpus } from '../../../alerts/corpus.js';
import { scrape } from '../../../monitor/scrape.js';
import { ALERTS } from '../../../support/bot-harness.js';
import { eventually } from '../../../support/eventually.js';
import { sharedRedisUrl } from '../../../support/shared-redis.js';
import {
  ALERT_CHANNEL,
  installActivity,
  seedSessions,
  sendSigned,
  startTeamsAlertBot,
  type TeamsAlertBot,
} from './teams-alert-harness.js';

/** The corpus' Alertmanager notification of SessionTTLViolations in production (prod). */
function notification(name: 'firing' | 'resolved'): { alerts: { startsAt: string }[] } {
  return JSON.parse(JSON.stringify(loadCorpus('alertmanager').find((f) => f.name === name)!.input));
}

/** The same alert firing again, long after the corpus' incident: a new incident. */
function firingAgain() {
  const body = notification('firing');
  body.alerts[0]!.startsAt = new Date().toISOString();
  return body;
}

const DIAGNOSIS = /^Session TTL diagnosis for prod: /;

// Do no harm: with Slack and Teams both answering an alert, its checks read the environment once; each platform
// still posts the diagnosis in its own thread and keeps its own cooldown and incident.
describe('one diagnosis of an alert for Slack and Teams (issue 22)', () => {
  let bot: TeamsAlertBot;
  const metrics = new Registry();
  /** How many times each check of the alert ran, as `/metrics` counts them. */
  async function checkRuns() {
    const sample = await scrape(Number(new URL(bot.running.url).port));
    const runs = (check: string) => sample('session_ttl_bot_check_duration_seconds_count', { check });
    return { ttl: runs('ttl-sample'), memory: runs('memory'), eviction: runs('eviction-policy') };
  }
  /** The keyspace scans prod's Redis (the test's server) serves while `work` runs, seen with MONITOR. */
  async function scansDuring(work: () => Promise<void>): Promise<number> {
    const monitor = await new Redis(sharedRedisUrl()).monitor();
    const seen: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => seen.push(String(args[0]).toLowerCase()));
    try {
      await work();
      // Everything sent before the marker has reached the monitor once the marker has.
      await bot.redis.echo('scans-counted');
      await eventually('the monitor to see the marker', () => seen.includes('echo'));
    } finally {
      monitor.disconnect();
    }
    return seen.filter((c) => c === 'scan').length;
  }
  const notify = async (body: unknown) => {
    expect((await bot.running.alertmanager(body)).status).toBe(200);
    await bot.running.bot.idle();
  };
  const slackDiagnoses = () =>
    bot.running.slack.callsOf('chat.postMessage').filter((c) => DIAGNOSIS.test(String(c.body.text)));
  const teamsDiagnoses = () => bot.connector.calls.filter((c) => DIAGNOSIS.test(String(c.body.summary)));

  beforeAll(async () => {
    bot = await startTeamsAlertBot({ alertChannel: ALERTS }, { metrics });
    await seedSessions(bot.redis);
    await sendSigned(bot.running, bot.issuer, installActivity(bot.connector.serviceUrl, ALERT_CHANNEL));
  });
  afterAll(() => bot?.close());

  it('a notification for both alert channels reads prod once and posts the report on each', async () => {
    expect(await checkRuns()).toEqual({ ttl: 0, memory: 0, eviction: 0 });
    // When Alertmanager notifies
    const scans = await scansDuring(() => notify(notification('firing')));
    // Then each platform has the diagnosis in its group message's thread
    expect(slackDiagnoses().map((c) => c.body.thread_ts !== undefined)).toEqual([true]);
    expect(teamsDiagnoses().map((c) => c.kind)).toEqual(['reply']);
    // And the checks ran once, for both: one keyspace scan of prod
    expect(await checkRuns()).toEqual({ ttl: 1, memory: 1, eviction: 1 });
    expect(scans).toBe(1);
    expect(
      bot.running.logs.lines.filter(
        (l) => l.msg === 'alert diagnosis shared with another platform (the checks ran once)',
      ),
    ).toHaveLength(1);
    // And each platform keeps its own cooldown
    expect(await bot.redis.exists('session-ttl-bot:cooldown:sessionttlviolations:prod')).toBe(1);
    expect(await bot.redis.exists('session-ttl-bot:teams:cooldown:sessionttlviolations:prod')).toBe(1);
  });

  it('once the incident resolved, the alert firing again gets a new diagnosis, again one for both', async () => {
    // Given the incident resolved on both platforms
    await notify(notification('resolved'));
    // When the alert fires again (within the time a diagnosis is shared)
    await notify(firingAgain());
    // Then both platforms post a second diagnosis, from a second run of the checks
    expect(slackDiagnoses()).toHaveLength(2);
    expect(teamsDiagnoses()).toHaveLength(2);
    expect(await checkRuns()).toEqual({ ttl: 2, memory: 2, eviction: 2 });
  });
});
