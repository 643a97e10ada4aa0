import { bytes, count } from '../core/format.js';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { parseConfig } from '../config/config.js';
import { runDiagnosis } from '../diagnostics/engine.js';
import type { CheckRegistry } from '../diagnostics/registry.js';
import { redisServerAvailable, startRedisServer } from '../demo/redis-process.js';
import { seedFaultyStore, startCacheChurn } from '../demo/seed-faulty-store.js';
import { renderReportText } from '../render/terminal.js';
import { offeredActions, type OfferedAction } from '../remediation/offers.js';
import { ALL_ACTIONS } from '../remediation/actions/index.js';
import type { RemediationAction } from '../remediation/types.js';
import { createSourceCache } from '../app/sources.js';
import type { CliIo } from './io.js';

export const DEMO_SESSIONS = 50_000;
const DEMO_MANIFESTS = fileURLToPath(new URL('../../manifests/demo', import.meta.url));

export interface DemoDeps {
  registry: CheckRegistry;
  /** The remediation actions whose buttons the report would carry in Slack (default `ALL_ACTIONS`). */
  actions?: readonly RemediationAction[];
  io: CliIo;
  json: boolean;
  sessions?: number;
  /** The redis-server binary (default: redis-server from PATH). */
  redisServerBin?: string;
}

/**
 * `session-ttl demo`: a throwaway redis-server seeded with a faulty store, the demo cluster state from
 * manifests/demo, the whole diagnosis, then everything stopped. Exit 0 although the report has critical
 * findings (they are planted), or 2 without redis-server.
 */
export async function demoCommand(deps: DemoDeps): Promise<number> {
  const { io } = deps;
  const bin = deps.redisServerBin ?? 'redis-server';
  if (!redisServerAvailable(bin)) {
    io.stderr.write(
      'session-ttl demo needs redis-server on PATH.\n' +
        '  Debian/Ubuntu: sudo apt-get install redis-server\n' +
        '  macOS:         brew install redis\n' +
        'Then run `npm run demo` again.\n',
    );
    return 2;
  }
  const say = (text: string) => {
    if (!deps.json) io.stdout.write(text);
  };
  const server = await startRedisServer([], bin);
  const client = new Redis(server.url);
  const sources = createSourceCache(io.env);
  try {
    const sessions = deps.sessions ?? DEMO_SESSIONS;
    say(`Started a throwaway redis-server on 127.0.0.1:${server.port}.\n`);
    const seeded = await seedFaultyStore(client, { sessions, writerTtlSeconds: 3600, noTtlRatio: 0.02, now: Date.now });
    say(
      `Seeded ${count(seeded.sessions)} sessions written with a hard-coded 3600 s TTL ` +
        `(${count(seeded.withoutTtl)} with no TTL at all), allkeys-lru at ` +
        `${bytes(seeded.maxmemoryBytes)} maxmemory; ${count(seeded.evictedKeys)} keys evicted so far.\n` +
        `The environment is "production" (expects 86400 s); cluster state comes from manifests/demo/.\n\n`,
    );
    const config = parseConfig(
      {
        environments: {
          demo: {
            profile: 'production',
            redis: { url: server.url },
            kubernetes: { manifests: DEMO_MANIFESTS, namespace: 'langgraph-agent' },
          },
        },
      },
      'demo',
    );
    const churn = startCacheChurn(client);
    const report = await runDiagnosis(
      { config, registry: deps.registry, sourcesFor: sources.sourcesFor },
      { envName: 'demo' },
    ).finally(() => churn.stop());
    io.stdout.write(deps.json ? `${JSON.stringify(report, null, 2)}\n` : renderReportText(report, { color: io.color }));
    say(actionPlanText(offeredActions(report.findings, deps.actions ?? ALL_ACTIONS), 'demo'));
  } finally {
    await sources.close();
    client.disconnect();
    await server.stop();
  }
  say(
    '\nStopped the demo redis-server. The demo exits 0 although it found critical findings: it planted them ' +
      '(`diagnose` exits 1 on a critical finding, 3 when a check could not run).\n' +
      'Next, on your own Redis: cp session-ttl.example.yaml session-ttl.yaml, edit it, then run: npx session-ttl diagnose <env>\n',
  );
  // Exit 0 on purpose: the criticals are planted, so a script running the demo learns only that it worked.
  return 0;
}

/** The buttons' plan: which fixes the report would offer in Slack, for which findings, and how to preview each. */
export function actionPlanText(offered: readonly OfferedAction[], env: string): string {
  if (!offered.length) return '\nNo remediation button would be offered for these findings.\n';
  const lines = offered.map((o) => {
    const params = Object.entries(o.params)
      .map(([k, v]) => ` --param ${k}=${String(v)}`)
      .join('');
    return `  ${o.action.padEnd(22)} for ${o.findings.join(', ')}\n  ${''.padEnd(22)} preview: session-ttl fix ${env} ${o.action} --dry-run${params}`;
  });
  return `\nIn Slack this report carries these fix buttons (each previewed, authorized at click time, approved where the policy says, audited, undoable):\n${lines.join('\n')}\n`;
}
