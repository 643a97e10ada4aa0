import { bytes, count } from '../core/format.js';
import { runDiagnosis } from '../diagnostics/engine.js';
import type { CheckRegistry } from '../diagnostics/registry.js';
import { DEMO_ENV, REDIS_SERVER_MISSING, startDemoStore } from '../demo/demo-store.js';
import { redisServerAvailable } from '../demo/redis-process.js';
import { renderReportText } from '../render/terminal.js';
import { offeredActions, type OfferedAction } from '../remediation/offers.js';
import { ALL_ACTIONS } from '../remediation/actions/index.js';
import type { RemediationAction } from '../remediation/types.js';
import { createSourceCache } from '../app/sources.js';
import { actionContextOpener } from '../app/action-context.js';
import { type Config, environmentOf } from '../config/config.js';
import type { CliIo } from './io.js';

export { DEMO_SESSIONS } from '../demo/demo-store.js';

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

/** What to type next: each line runs as printed (`demo` is a built-in environment of diagnose, verify and fix). */
export const DEMO_NEXT =
  'Next: each command above runs as printed, on a new throwaway store seeded the same way ' +
  '(`demo` is built in, e.g. npx session-ttl diagnose demo).\n' +
  'Then, on your own Redis: cp session-ttl.example.yaml session-ttl.yaml, edit it, then run: npx session-ttl diagnose <env>\n';

/**
 * `session-ttl demo`: a throwaway redis-server seeded with a faulty store, the demo cluster state from
 * manifests/demo, the whole diagnosis, then everything stopped. Exit 0 although the report has critical
 * findings (they are planted), or 2 without redis-server.
 */
export async function demoCommand(deps: DemoDeps): Promise<number> {
  const { io } = deps;
  const bin = deps.redisServerBin ?? 'redis-server';
  if (!redisServerAvailable(bin)) {
    io.stderr.write(`${REDIS_SERVER_MISSING}\nThen run \`npm run demo\` again.\n`);
    return 2;
  }
  const say = (text: string) => {
    if (!deps.json) io.stdout.write(text);
  };
  const store = await startDemoStore({ redisServerBin: bin, ...(deps.sessions ? { sessions: deps.sessions } : {}) });
  const sources = createSourceCache(io.env);
  try {
    const { seeded } = store;
    say(`Started a throwaway redis-server on 127.0.0.1:${store.port}.\n`);
    say(
      `Seeded ${count(seeded.sessions)} sessions written with a hard-coded 3600 s TTL ` +
        `(${count(seeded.withoutTtl)} with no TTL at all), allkeys-lru at ` +
        `${bytes(seeded.maxmemoryBytes)} maxmemory; ${count(seeded.evictedKeys)} keys evicted so far.\n` +
        `The environment is "production" (expects 86400 s); cluster state comes from manifests/demo/.\n\n`,
    );
    const churn = store.churn();
    const report = await runDiagnosis(
      { config: store.config, registry: deps.registry, sourcesFor: sources.sourcesFor },
      { envName: DEMO_ENV },
    ).finally(() => churn.stop());
    io.stdout.write(deps.json ? `${JSON.stringify(report, null, 2)}\n` : renderReportText(report, { color: io.color }));
    if (!deps.json) {
      const offered = offeredActions(report.findings, deps.actions ?? ALL_ACTIONS);
      say(actionPlanText(offered, DEMO_ENV, await unableActions(store.config, offered, deps.actions ?? ALL_ACTIONS)));
    }
  } finally {
    await sources.close();
    await store.stop();
  }
  say(
    '\nStopped the demo redis-server. The demo exits 0 although it found critical findings: it planted them ' +
      '(`diagnose` exits 1 on a critical finding, 3 when a check could not run).\n' +
      DEMO_NEXT,
  );
  // Exit 0 on purpose: the criticals are planted, so a script running the demo learns only that it worked.
  return 0;
}

/** The offered actions the bot could not perform on the demo store (from manifests: no cluster to write), and why. */
async function unableActions(
  config: Config,
  offered: readonly OfferedAction[],
  actions: readonly RemediationAction[],
): Promise<Map<string, string>> {
  const env = environmentOf(config, DEMO_ENV);
  const open = actionContextOpener({ processEnv: {}, now: Date.now })(env);
  try {
    const unable = new Map<string, string>();
    for (const o of offered) {
      const capability = await actions.find((a) => a.id === o.action)?.capability(open.ctx);
      if (capability && !capability.able) unable.set(o.action, capability.why);
    }
    return unable;
  } finally {
    await open.close();
  }
}

/**
 * The buttons' plan: which fixes the report would offer in Slack, for which findings, and how to preview
 * each; an action the bot could not perform here (`unable`: action id -> why) says why instead, as Slack does.
 */
export function actionPlanText(
  offered: readonly OfferedAction[],
  env: string,
  unable: ReadonlyMap<string, string> = new Map(),
): string {
  if (!offered.length) return '\nNo remediation button would be offered for these findings.\n';
  const lines = offered.map((o) => {
    const params = Object.entries(o.params)
      .map(([k, v]) => ` --param ${k}=${v}`)
      .join('');
    const why = unable.get(o.action);
    const how = why ? `no button here: ${why}` : `preview: npx session-ttl fix ${env} ${o.action} --dry-run${params}`;
    return `  ${o.action.padEnd(22)} for ${o.findings.join(', ')}\n  ${''.padEnd(22)} ${how}`;
  });
  const intro =
    'In Slack and Teams this report offers these fixes, a button each where the bot can perform it ' +
    '(previewed, authorized at click time, approved where the policy says, audited, undoable):';
  return `\n${intro}\n${lines.join('\n')}\n`;
}
