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

export interface VerifyCommandDeps {
  config: Config;
  io: CliIo;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  openRedis?: PlanVerifyOptions['openRedis'];
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
export async function verifyCommand(deps: VerifyCommandDeps, args: VerifyArgs): Promise<VerifyResult> {
  const { io } = deps;
  const plan = planVerify({
    config: deps.config,
    envName: args.envName,
    processEnv: io.env,
    ...(args.waitSeconds !== undefined ? { waitSeconds: args.waitSeconds } : {}),
    ...(deps.openRedis ? { openRedis: deps.openRedis } : {}),
  });
  const runDeps: VerifyRunDeps = {
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    onProgress: (p) => void io.stderr.write(`${progressText(p)}\n`),
  };
  try {
    const result = await runVerify(plan, runDeps);
    io.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : renderVerifyText(result, { color: io.color }));
    return result;
  } finally {
    await plan.close();
  }
}
