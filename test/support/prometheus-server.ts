import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './redis-server.js';
import { startReadyProcess } from './ready-process.js';

/** Where the Debian package `prometheus` installs the server (.ci/run installs it when missing). */
export const PROMETHEUS_BIN = '/usr/bin/prometheus';

/** One instant-vector sample of the HTTP API: its labels and value. */
export interface PromSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** One active alert of `GET /api/v1/alerts`. */
export interface PromAlert {
  labels: Record<string, string>;
  state: 'pending' | 'firing';
}

export interface PrometheusHandle {
  url: string;
  /** `GET /api/v1/query`: the instant vector of `expr` now. */
  query(expr: string): Promise<PromSample[]>;
  /** `GET /api/v1/query` of a range selector: every sample of each series in it, oldest first. */
  samples(selector: string): Promise<{ metric: Record<string, string>; values: [number, string][] }[]>;
  alerts(): Promise<PromAlert[]>;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** `host:port` of each target, scraped at `metrics_path` /metrics under `job`. */
  targets: string[];
  job: string;
  /** Scrape and rule evaluation interval, e.g. `1s`. */
  interval: string;
  /** Rule groups, as in a rules file (or a PrometheusRule's `spec.groups`). */
  ruleGroups?: unknown[];
}

interface ApiReply<T> {
  status: string;
  data: T;
  error?: string;
}

async function api<T>(url: string): Promise<T> {
  const res = await fetch(url);
  const body = (await res.json()) as ApiReply<T>;
  if (body.status !== 'success') throw new Error(`${url}: ${body.error ?? res.status}`);
  return body.data;
}

/**
 * Starts a throwaway Prometheus on a free loopback port (storage in a temporary directory, removed on stop)
 * that scrapes `targets` and evaluates `ruleGroups`, and waits until it is ready.
 */
export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusHandle> {
  if (!existsSync(PROMETHEUS_BIN))
    throw new Error(`${PROMETHEUS_BIN} was not found: install it (Debian/Ubuntu: apt-get install prometheus)`);
  const dir = await mkdtemp(join(tmpdir(), 'prometheus-'));
  await writeFile(join(dir, 'rules.yaml'), stringify({ groups: opts.ruleGroups ?? [] }));
  await writeFile(
    join(dir, 'prometheus.yaml'),
    stringify({
      global: { scrape_interval: opts.interval, evaluation_interval: opts.interval },
      rule_files: [join(dir, 'rules.yaml')],
      scrape_configs: [{ job_name: opts.job, metrics_path: '/metrics', static_configs: [{ targets: opts.targets }] }],
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = await startReadyProcess({
    name: 'Prometheus',
    bin: PROMETHEUS_BIN,
    args: [
      `--config.file=${join(dir, 'prometheus.yaml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    url,
    dir,
  });
  const stop = proc.stop;
  const query = <R>(expr: string) =>
    api<{ result: R[] }>(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`).then((d) => d.result);
  return {
    url,
    query: (expr) => query<PromSample>(expr),
    samples: (selector) => query<{ metric: Record<string, string>; values: [number, string][] }>(selector),
    alerts: () => api<{ alerts: PromAlert[] }>(`${url}/api/v1/alerts`).then((d) => d.alerts),
    stop,
  };
}
