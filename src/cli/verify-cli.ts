import { openCanaryRedis } from '../adapters/redis/canary-redis.js';
import type { Config } from '../config/config.js';
import { planVerify, type PlanVerifyOptions } from '../verify/plan-verify.js';
import { progressText } from '../verify/progress-text.js';
import { renderVerifyText } from '../verify/render-verify-text.js';
import { runVerify, type VerifyRunDeps } from '../verify/run-verify.js';
import type { VerifyResult } from '../verify/verify-result.js';
import type { CliIo } from './io.js';

export interface VerifyArgs {
  envName: string;
  /** `--wait SECONDS`; default the environment's verify.waitSeconds. */
  waitSeconds?: number;
  json: boolean;
}

export interface VerifyCliDeps {
  config: Config;
  io: CliIo;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  openRedis?: PlanVerifyOptions['openRedis'];
  /**
   * Where SIGINT and SIGTERM are heard while the canary runs (default: the process). On either, the run
   * stops, the canary is removed and the result printed (verdict error, exit 2).
   */
  signals?: Pick<NodeJS.EventEmitter, 'on' | 'off'>;
}

/** Exit code of a verification: 0 pass, 1 fail, 2 when it could not run (Redis or the app API failed). */
export function verifyExitCode(result: VerifyResult): 0 | 1 | 2 {
  return result.verdict === 'pass' ? 0 : result.verdict === 'fail' ? 1 : 2;
}

/**
 * `session-ttl verify <env>`: runs the canary, prints progress on stderr and the verdict on stdout (as
 * text, or exactly the VerifyResult JSON with --json). Configuration errors are thrown as UserErrors
 * before anything is written.
 */
export async function runVerifyCli(deps: VerifyCliDeps, args: VerifyArgs): Promise<VerifyResult> {
  const { io } = deps;
  const plan = planVerify({
    config: deps.config,
    envName: args.envName,
    processEnv: io.env,
    ...(args.waitSeconds !== undefined ? { waitSeconds: args.waitSeconds } : {}),
    openRedis: deps.openRedis ?? openCanaryRedis,
  });
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (stop.signal.aborted) return;
    io.stderr.write(`${signal}: stopping the verification and removing the canary …\n`);
    stop.abort();
  };
  const signals = deps.signals ?? process;
  const runDeps: VerifyRunDeps = {
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    signal: stop.signal,
    onProgress: (p) => void io.stderr.write(`${progressText(p)}\n`),
  };
  // Installed for the run only: a signal now cleans up instead of killing the process with the canary left behind.
  signals.on('SIGINT', onSignal);
  signals.on('SIGTERM', onSignal);
  try {
    const result = await runVerify(plan, runDeps);
    io.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : renderVerifyText(result, { color: io.color }));
    return result;
  } finally {
    signals.off('SIGINT', onSignal);
    signals.off('SIGTERM', onSignal);
    await plan.close();
  }
}
