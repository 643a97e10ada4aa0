import { z } from 'zod';
import type { IssueSink } from './access.js';
import {
  alertRoutingInputSchema,
  alertRoutingSchema,
  type AlertRoutingConfig,
  type AlertRoutingInput,
} from './alert-routing.js';

/** Minutes during which a re-fired alert links to the earlier diagnosis, unless configured otherwise. */
export const DEFAULT_ALERT_COOLDOWN_MINUTES = 15;

/** Minutes during which a re-fired alert links to the earlier diagnosis instead of running again. */
export const alertCooldownMinutesSchema = z.number().positive();

/**
 * The `alerts` section: how the bot answers alerts, on every chat platform (Slack and Teams read the same).
 * Its settings used to live under `slack` (`slack.alertCooldownMinutes`, `slack.alertRouting`), and those
 * keys are still read for a setting this section leaves out.
 *
 * @example
 * # session-ttl.yaml
 * alerts:
 *   cooldownMinutes: 15
 *   routing:
 *     labelKeys: [env, cluster]
 *     aliases: { production: prod }
 */
export const alertsSchema = z
  .object({
    cooldownMinutes: alertCooldownMinutesSchema.optional(),
    routing: alertRoutingInputSchema.optional(),
  })
  .strict();

/** Where the aliases were written: the neutral key, or its old name in a config that still uses it. */
export type AliasesKey = 'alerts.routing.aliases' | 'slack.alertRouting.aliases';

/** The alert settings every platform reads, each decided once from `alerts.*` or else its old `slack.*` key. */
export interface AlertsConfig {
  cooldownMinutes: number;
  routing: AlertRoutingConfig;
  /** The key `routing.aliases` was read from, for messages about an alias that name what the file says. */
  aliasesKey: AliasesKey;
  /** The old `slack.*` keys the file still sets, each with its new name: said once at start-up. */
  oldKeys: readonly string[];
}

/** The parts of a parsed config file the alert settings are read from. */
export interface AlertSources {
  alerts: z.infer<typeof alertsSchema>;
  slack: { alertCooldownMinutes?: number | undefined; alertRouting?: AlertRoutingInput | undefined };
}

/** One setting as written under its two keys: the neutral one first, then its old Slack name. */
interface Setting<T> {
  /** What it sets, in words. */
  what: string;
  keys: readonly [neutral: readonly string[], old: readonly string[]];
  values: readonly [T | undefined, T | undefined];
  same(a: T, b: T): boolean;
  show(value: T): string;
}

const clip = (s: string) => (s.length > 120 ? `${s.slice(0, 119)}…` : s);
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
const entries = (r: Readonly<Record<string, string>>) =>
  Object.entries(r).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
const sameRecord = (a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>) =>
  sameList(entries(a).flat(), entries(b).flat());

function settings(cfg: AlertSources) {
  const routing = cfg.alerts.routing;
  const old = cfg.slack.alertRouting;
  const cooldownMinutes: Setting<number> = {
    what: 'the alert cooldown',
    keys: [
      ['alerts', 'cooldownMinutes'],
      ['slack', 'alertCooldownMinutes'],
    ],
    values: [cfg.alerts.cooldownMinutes, cfg.slack.alertCooldownMinutes],
    same: (a, b) => a === b,
    show: String,
  };
  const labelKeys: Setting<readonly string[]> = {
    what: 'the labels that name the environment',
    keys: [
      ['alerts', 'routing', 'labelKeys'],
      ['slack', 'alertRouting', 'labelKeys'],
    ],
    values: [routing?.labelKeys, old?.labelKeys],
    same: sameList,
    show: (v) => clip(`[${v.join(', ')}]`),
  };
  const aliases: Setting<Readonly<Record<string, string>>> = {
    what: 'the label value aliases',
    keys: [
      ['alerts', 'routing', 'aliases'],
      ['slack', 'alertRouting', 'aliases'],
    ],
    values: [routing?.aliases, old?.aliases],
    same: sameRecord,
    show: (v) =>
      clip(
        `{ ${entries(v)
          .map(([k, e]) => `${k}: ${e}`)
          .join(', ')} }`,
      ),
  };
  return { cooldownMinutes, labelKeys, aliases };
}

/** The value a setting takes (the neutral key's, else the old key's) and the key it came from (`old`: the Slack one). */
function chosen<T>(s: Setting<T>): { value: T | undefined; key: readonly string[]; old: boolean } {
  const [neutral, old] = s.values;
  return neutral !== undefined || old === undefined
    ? { value: neutral, key: s.keys[0], old: false }
    : { value: old, key: s.keys[1], old: true };
}

/** Both keys of a setting written with different values: which one the file means is not for the bot to guess. */
function conflict<T>(s: Setting<T>, ctx: IssueSink): void {
  const [neutral, old] = s.values;
  if (neutral === undefined || old === undefined || s.same(neutral, old)) return;
  const [neutralKey, oldKey] = s.keys.map((k) => k.join('.'));
  ctx.addIssue({
    code: 'custom',
    path: [...s.keys[1]],
    message:
      `${s.show(old)} conflicts with ${neutralKey}: ${s.show(neutral)}; both set ${s.what} (${oldKey} is its ` +
      `old name), so keep ${neutralKey} and remove ${oldKey}`,
  });
}

/**
 * Cross-field rules of the alert settings (run from the config file's superRefine): a setting written under
 * both its keys says the same in both, and every alias names a configured environment.
 */
export function validateAlerts(cfg: AlertSources & { environments: Record<string, unknown> }, ctx: IssueSink): void {
  const all = settings(cfg);
  conflict(all.cooldownMinutes, ctx);
  conflict(all.labelKeys, ctx);
  conflict(all.aliases, ctx);
  const names = Object.keys(cfg.environments);
  const aliases = chosen(all.aliases);
  for (const [value, target] of Object.entries(aliases.value ?? {})) {
    if (!names.includes(target)) {
      ctx.addIssue({
        code: 'custom',
        path: [...aliases.key, value],
        message: `names environment "${target}", which is not defined; expected one of ${names.join(', ')}`,
      });
    }
  }
}

/** The alert settings of a valid config file (see validateAlerts): the one place that decides them. */
export function resolveAlerts(cfg: AlertSources): AlertsConfig {
  const all = settings(cfg);
  const aliases = chosen(all.aliases);
  const labelKeys = chosen(all.labelKeys).value;
  const oldKeys = Object.values(all)
    .filter((s) => s.values[1] !== undefined)
    .map((s) => `${s.keys[1].join('.')} (now ${s.keys[0].join('.')})`);
  return {
    cooldownMinutes: chosen(all.cooldownMinutes).value ?? DEFAULT_ALERT_COOLDOWN_MINUTES,
    routing: alertRoutingSchema.parse({
      ...(labelKeys ? { labelKeys: [...labelKeys] } : {}),
      ...(aliases.value ? { aliases: { ...aliases.value } } : {}),
    }),
    aliasesKey: aliases.old ? 'slack.alertRouting.aliases' : 'alerts.routing.aliases',
    oldKeys,
  };
}
