import { defineCheck } from '../define-check.js';
import { codeWords } from '../code-hints.js';
import { slidingWindowDisabled, slidingWindowUnexpected, slidingWindowFindings } from './sliding-window.findings.js';
import type { ConfigMapView, PodView } from '../../core/ports/cluster.js';
import type { CheckContext, RawFinding } from '../types.js';

/** The ConfigMap key the app reads its sliding-window switch from (runbook Diagnosis step 5). */
export const SLIDING_WINDOW_KEY = 'session_sliding_window';

/** Env var that sets the switch directly in a container; a literal value wins over the ConfigMap. */
const SLIDING_ENV = /^SESSION_SLIDING_WINDOW$/i;

/**
 * Reads a boolean the way config loaders commonly do (pydantic, strtobool): true/false, 1/0, yes/no,
 * on/off, case-insensitive. Anything else is undefined.
 *
 * @example parseSwitch(' True ') // true
 */
export function parseSwitch(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on', 'y', 't'].includes(v)) return true;
  if (['false', '0', 'no', 'off', 'n', 'f'].includes(v)) return false;
  return undefined;
}

function workloadName(selector: string, configMap: string): string {
  const app = /(?:^|,)\s*app\s*==?\s*([^,\s]+)/.exec(selector)?.[1];
  return app ?? configMap.replace(/-config$/, '');
}

interface Override {
  container: string;
  variable: string;
  value: string;
  pods: string[];
}

/** Literal SESSION_SLIDING_WINDOW values in the pods whose meaning differs from the expectation, grouped per container/value. */
function wrongOverrides(pods: PodView[], expected: boolean): Override[] {
  const groups = new Map<string, Override>();
  for (const pod of pods) {
    for (const c of pod.containers) {
      for (const e of c.env) {
        if (!SLIDING_ENV.test(e.name) || e.value === undefined) continue;
        if (parseSwitch(e.value) === expected) continue;
        const key = `${c.name}\0${e.name}\0${e.value}`;
        const g = groups.get(key) ?? { container: c.name, variable: e.name, value: e.value, pods: [] };
        g.pods.push(pod.name);
        groups.set(key, g);
      }
    }
  }
  return [...groups.values()];
}

interface Names {
  ns: string;
  cm: string;
  app: string;
}

/** What the ConfigMap says, or why it says nothing usable. */
type CmState =
  | { kind: 'value'; raw: string; on: boolean }
  | { kind: 'missing_key' }
  | { kind: 'unreadable'; raw: string }
  | { kind: 'no_configmap' };

function readSwitch(cm: ConfigMapView | undefined): CmState {
  if (!cm) return { kind: 'no_configmap' };
  const raw = cm.data[SLIDING_WINDOW_KEY];
  if (raw === undefined) return { kind: 'missing_key' };
  const on = parseSwitch(raw);
  return on === undefined ? { kind: 'unreadable', raw } : { kind: 'value', raw, on };
}

function overrideText(o: Override[]): string {
  return o.map((g) => `${g.variable}=${g.value} in container ${g.container} of ${g.pods.join(', ')}`).join('; ');
}

function overrideFix(o: Override[], n: Names): string {
  return o
    .map((g) => `kubectl set env deployment/${n.app} -n ${n.ns} -c ${g.container} ${g.variable}-`)
    .filter((v, i, all) => all.indexOf(v) === i)
    .join(' && ');
}

function evidence(state: CmState, n: Names, expected: boolean, overrides: Override[]): Record<string, unknown> {
  return {
    namespace: n.ns,
    configMap: n.cm,
    key: SLIDING_WINDOW_KEY,
    configMapExists: state.kind !== 'no_configmap',
    configMapValue: state.kind === 'value' || state.kind === 'unreadable' ? state.raw : null,
    expectedSlidingWindow: expected,
    overrides: overrides.map((g) => ({ container: g.container, variable: g.variable, value: g.value, pods: g.pods })),
  };
}

function disabledFinding(state: CmState, overrides: Override[], n: Names, refresh: string): RawFinding | undefined {
  const cmWrong = state.kind === 'missing_key' || state.kind === 'unreadable' || (state.kind === 'value' && !state.on);
  if (!cmWrong && !overrides.length) return undefined;
  const patch = `kubectl patch configmap ${n.cm} -n ${n.ns} -p '{"data":{"${SLIDING_WINDOW_KEY}":"true"}}'`;
  const restart = `kubectl rollout restart deployment/${n.app} -n ${n.ns}`;
  const explicitOff = (state.kind === 'value' && !state.on) || overrides.some((g) => parseSwitch(g.value) === false);
  const what =
    state.kind === 'value' && !state.on
      ? `${SLIDING_WINDOW_KEY} is "${state.raw}" in ConfigMap ${n.cm}`
      : state.kind === 'missing_key'
        ? `ConfigMap ${n.cm} has no ${SLIDING_WINDOW_KEY}`
        : state.kind === 'unreadable'
          ? `${SLIDING_WINDOW_KEY} is "${state.raw}" in ConfigMap ${n.cm}, which is not a boolean`
          : state.kind === 'no_configmap'
            ? `pods set it off explicitly (ConfigMap ${n.cm} does not exist)`
            : `ConfigMap ${n.cm} enables it, but pods override it`;
  const why =
    state.kind === 'missing_key'
      ? `Without the key the app falls back to its built-in default, which the bot cannot see; the runbook's apps default to off. `
      : state.kind === 'unreadable'
        ? `The app may read "${state.raw}" as false or fail to start. `
        : '';
  const overridesSaid = overrides.length
    ? ` An explicit env value wins over the ConfigMap: ${overrideText(overrides)}.`
    : '';
  const fixes = [...(cmWrong ? [patch] : []), ...(overrides.length ? [overrideFix(overrides, n)] : []), restart];
  return {
    id: slidingWindowDisabled.id,
    // An explicit "off" is certain: active users are logged out at the original TTL. A missing key
    // or an unreadable value depends on the app's default, so it is a warning.
    severity: explicitOff ? 'critical' : 'warning',
    title: `Sliding window is off where the profile expects it on: ${what}`,
    detail:
      `${why}Sessions are not refreshed on access, so they expire at their original TTL even while ` +
      `the user is active (runbook Scenario 3).${overridesSaid}`,
    evidence: evidence(state, n, true, overrides),
    fix: `${fixes.join(' && ')}; then check that ${refresh} calls EXPIRE with the full TTL on access.`,
  };
}

function unexpectedFinding(state: CmState, overrides: Override[], n: Names): RawFinding | undefined {
  const cmWrong = state.kind === 'unreadable' || (state.kind === 'value' && state.on);
  if (!cmWrong && !overrides.length) return undefined;
  const what =
    state.kind === 'value' && state.on
      ? `${SLIDING_WINDOW_KEY} is "${state.raw}" in ConfigMap ${n.cm}`
      : state.kind === 'unreadable'
        ? `${SLIDING_WINDOW_KEY} is "${state.raw}" in ConfigMap ${n.cm}, which is not a boolean`
        : `pods set it on explicitly, overriding ConfigMap ${n.cm}`;
  const overridesSaid = overrides.length
    ? ` An explicit env value wins over the ConfigMap: ${overrideText(overrides)}.`
    : '';
  const fixes = [
    ...(cmWrong ? [`kubectl patch configmap ${n.cm} -n ${n.ns} -p '{"data":{"${SLIDING_WINDOW_KEY}":"false"}}'`] : []),
    ...(overrides.length ? [overrideFix(overrides, n)] : []),
    `kubectl rollout restart deployment/${n.app} -n ${n.ns}`,
  ];
  return {
    id: slidingWindowUnexpected.id,
    severity: 'warning',
    title: `Sliding window is on where the profile expects it off: ${what}`,
    detail:
      `This environment's profile (API/background sessions) expects sessions to end at their original ` +
      `TTL; with the sliding window on, every access extends them, so they can outlive the policy.${overridesSaid}`,
    evidence: evidence(state, n, false, overrides),
    fix: fixes.join(' && '),
  };
}

/**
 * Runbook Diagnosis step 5 and Scenario 3: does the app's sliding-window switch match the profile?
 * Reads `session_sliding_window` from the app ConfigMap and literal `SESSION_SLIDING_WINDOW` env values
 * in the app pods (which win over the ConfigMap). A missing key counts as "off" where the profile
 * expects "on" (warning: it depends on the app's default) and as "off" otherwise (no finding).
 * A missing ConfigMap is `env-check`'s `config.missing_key`; only pod overrides are judged then.
 * Raises `sliding_window.disabled` and `sliding_window.unexpected`.
 */
export const slidingWindowCheck = defineCheck({
  id: 'sliding-window',
  summary: 'Sliding-window switch in the app ConfigMap and pod env against the profile (runbook step 5)',
  needs: ['kubernetes'],
  findings: slidingWindowFindings,
  async run(ctx: CheckContext): Promise<RawFinding[]> {
    const k = ctx.env.kubernetes;
    if (!k) return [];
    const n: Names = { ns: k.namespace, cm: k.appConfigMap, app: workloadName(k.appSelector, k.appConfigMap) };
    const [cm, pods] = await Promise.all([ctx.cluster.readConfigMap(n.cm), ctx.cluster.listPods(k.appSelector)]);
    const expected = ctx.env.slidingWindow;
    const overrides = wrongOverrides(pods, expected);
    const state = readSwitch(cm);
    const f = expected
      ? disabledFinding(state, overrides, n, codeWords(ctx.env).refresh)
      : unexpectedFinding(state, overrides, n);
    return f ? [f] : [];
  },
});
