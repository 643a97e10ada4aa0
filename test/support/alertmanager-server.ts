import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { parseExposition } from '../monitor/scrape.js';
import { freePort } from './redis-server.js';
import { startReadyProcess } from './ready-process.js';

/** Where the Debian package `prometheus-alertmanager` installs the server (.ci/run installs it when missing). */
export const ALERTMANAGER_BIN = '/usr/bin/prometheus-alertmanager';

/** One alert as `POST /api/v2/alerts` takes it (what Prometheus sends on each evaluation). */
export interface PushedAlert {
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** RFC 3339; Alertmanager takes the time it received the alert when absent. */
  startsAt?: string;
  /** RFC 3339; in the past, the alert is resolved. */
  endsAt?: string;
}

export interface AlertmanagerOptions {
  /** Where the one receiver's `webhook_configs` entry posts, e.g. the bot's `http://127.0.0.1:<port>/alertmanager`. */
  webhookUrl: string;
  /** Sent as `Authorization: Bearer <token>` (`http_config.authorization.credentials`). */
  token: string;
  /** The route's timers (defaults 1s / 1s / 1h): a group's first notification, its next ones, a re-send. */
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
}

export interface AlertmanagerHandle {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `POST /api/v2/alerts`; throws with Alertmanager's answer unless it took them. */
  push(alerts: PushedAlert[]): Promise<void>;
  /** The sum of the samples of `name` on Alertmanager's own `GET /metrics` that carry `labels` (0 when none). */
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** What Alertmanager logged so far (stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** The config file: one route to one webhook receiver that also sends resolved notifications. */
function configFor(opts: AlertmanagerOptions): string {
  return stringify({
    route: {
      receiver: 'session-ttl-bot',
      group_by: ['alertname'],
      group_wait: opts.groupWait ?? '1s',
      group_interval: opts.groupInterval ?? '1s',
      repeat_interval: opts.repeatInterval ?? '1h',
    },
    receivers: [
      {
        name: 'session-ttl-bot',
        webhook_configs: [
          { url: opts.webhookUrl, send_resolved: true, http_config: { authorization: { credentials: opts.token } } },
        ],
      },
    ],
  });
}

function sumOf(exposition: string, name: string, labels: Record<string, string>): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let sum = 0;
  for (const [key, value] of parseExposition(exposition)) {
    const m = /^([^{]+)\{(.*)\}$/.exec(key);
    const have = m?.[2] ? m[2].split(/,(?=[a-zA-Z_]\w*=")/) : [];
    if (m?.[1] === name && wanted.every((w) => have.includes(w))) sum += value;
  }
  return sum;
}

/**
 * Starts a throwaway Alertmanager on a free loopback port (clustering off, storage in a temporary directory
 * removed on stop) whose one route posts every group to `webhookUrl`, and waits until it is ready.
 */
export async function startAlertmanager(opts: AlertmanagerOptions): Promise<AlertmanagerHandle> {
  if (!existsSync(ALERTMANAGER_BIN))
    throw new Error(
      `${ALERTMANAGER_BIN} was not found: install it (Debian/Ubuntu: apt-get install prometheus-alertmanager)`,
    );
  const dir = await mkdtemp(join(tmpdir(), 'alertmanager-'));
  await writeFile(join(dir, 'alertmanager.yml'), configFor(opts), { mode: 0o600 });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startReadyProcess({
    name: 'Alertmanager',
    bin: ALERTMANAGER_BIN,
    args: [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // Empty: no gossip listener, so no second port and no peers.
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    url,
    dir,
  });
  const stop = proc.stop;
  return {
    url,
    async push(alerts) {
      const res = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      if (res.status !== 200) throw new Error(`POST /api/v2/alerts answered ${res.status}: ${await res.text()}`);
    },
    async metric(name, labels = {}) {
      const res = await fetch(`${url}/metrics`);
      if (res.status !== 200) throw new Error(`Alertmanager's /metrics answered ${res.status}`);
      return sumOf(await res.text(), name, labels);
    },
    output: proc.output,
    stop,
  };
}
