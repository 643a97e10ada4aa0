import type { OpenCanaryRedis } from '../core/ports/canary-redis.js';
import type { Postpone } from '../core/ports/chat.js';
import type { EngineDeps } from '../diagnostics/engine.js';
import type { Remediation } from '../remediation/service.js';
import type { ReportMessageOptions } from '../render/report-message.js';
import { auditCommand } from './audit.js';
import type { Command } from './context.js';
import { diagnoseCommand, type DiagnoseCommandDeps } from './diagnose.js';
import { envsCommand } from './envs.js';
import { helpCommand } from './help.js';
import { createCommandRegistry, type CommandRegistry } from './registry.js';
import { verifyCommand } from './verify.js';

/** Diagnoses started by commands running at once (identical ones are joined, not counted twice). */
export const DEFAULT_COMMAND_DIAGNOSIS_CONCURRENCY = 4;

export interface BotCommandsDeps extends EngineDeps {
  /** Where `verify` reads the env vars the config names (Redis password, app API token). */
  processEnv: NodeJS.ProcessEnv;
  /** Opens verify's canary connection (the Redis adapter, given by the composition root). */
  openRedis: OpenCanaryRedis;
  report?: ReportMessageOptions;
  /** Keeps reports the chat platform refused for now, to post them later (the outbox). */
  postpone?: Postpone;
  /** Bounds the diagnoses running at once, behind the answers (the host's intake gate). */
  limit?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Fix buttons on reports, verify's access rule and `audit`; absent, those are not offered. */
  remediation?: Pick<Remediation, 'reportActions' | 'mayVerify' | 'deniedVerify' | 'recentAudit'>;
  /** Keeps reports that offer fixes (remediation), so an applied fix can mark its report. */
  rememberReport?: DiagnoseCommandDeps['rememberReport'];
  /** Commands beside the built-in ones (the monitor's `status`); a name that collides fails here. */
  extra?: readonly Command[];
}

/**
 * The bot's commands, from a plain list, the same for every front end: diagnose, envs, help, verify,
 * audit (with remediation) and the extra ones. `help` lists the registry it is part of.
 */
export function botCommands(deps: BotCommandsDeps): CommandRegistry {
  const service = deps.remediation;
  const registry: CommandRegistry = createCommandRegistry([
    diagnoseCommand({
      config: deps.config,
      registry: deps.registry,
      sourcesFor: deps.sourcesFor,
      ...(deps.now ? { now: deps.now } : {}),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      ...(deps.report ? { report: deps.report } : {}),
      ...(deps.postpone ? { postpone: deps.postpone } : {}),
      ...(deps.limit ? { limit: deps.limit } : {}),
      ...(deps.rememberReport ? { rememberReport: deps.rememberReport } : {}),
      ...(service ? { reportActions: (env, findings) => service.reportActions(env, findings) } : {}),
    }),
    envsCommand({ config: deps.config }),
    helpCommand({ commands: () => registry, checks: deps.registry }),
    verifyCommand({
      config: deps.config,
      processEnv: deps.processEnv,
      openRedis: deps.openRedis,
      ...(deps.now ? { now: deps.now } : {}),
      ...(service
        ? {
            // A refused verify is audited like every other denial.
            authorize: async (actor, env) => {
              const decision = await service.mayVerify(actor, env);
              if (!decision.allowed) await service.deniedVerify(actor, env, decision);
              return decision;
            },
          }
        : {}),
    }),
    ...(service ? [auditCommand({ remediation: service })] : []),
    ...(deps.extra ?? []),
  ]);
  return registry;
}
