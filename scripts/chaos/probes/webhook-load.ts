import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startLineProcess } from '../../../bench/line-process.js';
import { parseConfig } from '../../../src/config/config.js';
import { ALERTS, AM_TOKEN, firingNotification, startTestBot } from '../../../test/support/bot-harness.js';
import { json, type ChaosContext, type Probe } from '../probe.js';

const N = 200;
const headers = { 'content-type': 'application/json', authorization: `Bearer ${AM_TOKEN}` };

/** A notification of an alert the bot does not answer (warm-up: JIT, connections). */
function unrelated(env: string): string {
  const body = firingNotification(env, `warm-${env}`);
  return json({
    ...body,
    alerts: [{ ...body.alerts[0], labels: { alertname: 'UnrelatedWarmUp', env } }],
    commonLabels: { env },
  });
}

/** A bare node:http server answering 200: what the machine allows right now. */
async function bareServer() {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/alertmanager` };
}

type Client = ReturnType<typeof startLineProcess>;

/** The sorted answer times (ms) of `bodies` POSTed at once to `url`. */
async function burst(client: Client, url: string, bodies: string[]): Promise<number[]> {
  return ((await client.ask({ url, headers, bodies })) as number[]).sort((a, b) => a - b);
}

/** 200 concurrent webhooks that each start a diagnosis: the answers stay fast, every one is answered in Slack. */
export const webhookLoadProbe = ({ slack, registry, redisUrl }: ChaosContext): Probe => ({
  fault: '200 concurrent webhooks starting diagnoses',
  expected: 'p99 < 100 ms; every one answered in Slack',
  async run() {
    const envs = Array.from({ length: N }, (_, i) => `e${i}`);
    const environment = { profile: 'development', redis: { url: redisUrl } };
    const config = parseConfig(
      {
        environments: Object.fromEntries(envs.map((e) => [e, environment])),
        defaults: { rateWindowMs: 0 },
        slack: { alertChannel: ALERTS },
      },
      'chaos',
    );
    const bot = await startTestBot({ slack, config, registry });
    // The client in a process of its own (keep-alive connections, raw HTTP): the bot's event loop serves only the bot.
    const client = startLineProcess('webhook-client.ts');
    const bare = await bareServer();
    try {
      await burst(client, `${bot.url}/alertmanager`, envs.map(unrelated));
      await burst(client, bare.url, envs.map(unrelated));
      const base = await burst(
        client,
        bare.url,
        envs.map((e) => json(firingNotification(e, `bare-${e}`))),
      );
      const notifications = envs.map((e) => json(firingNotification(e, `load-${e}`)));
      const times = await burst(client, `${bot.url}/alertmanager`, notifications);
      const p99 = times[Math.floor(N * 0.99)]!;
      await bot.bot.idle();
      const threads = slack
        .callsOf('chat.postMessage')
        .flatMap((c) => (c.body.channel === ALERTS && c.body.thread_ts ? [c.body.thread_ts] : []));
      const answered = new Set(threads).size;
      return {
        held: p99 < 100 && answered === N,
        observed: `p99 ${p99.toFixed(0)} ms (bare server ${base[Math.floor(N * 0.99)]!.toFixed(0)} ms); ${answered}/${N} answered`,
      };
    } finally {
      bare.server.close();
      client.end();
      await bot.bot.stop();
    }
  },
});
