import { defineCheck } from '../define-check.js';
import {
  configMapNotReferenced,
  envOverrideMismatch,
  missingKey,
  noPods,
  stalePods,
  ttlNotExpected,
  envCheckFindings,
} from './env-check.findings.js';
import type { ConfigMapView, ContainerView, PodView } from '../../core/ports/cluster.js';
import type { CheckContext, RawFinding } from '../types.js';
import { count, duration } from '../../core/format.js';

/** The ConfigMap key the app reads its session TTL from (runbook Diagnosis step 1). */
export const TTL_KEY = 'session_ttl_seconds';

/** Env vars that set the session TTL directly in a container. */
const TTL_ENV = /^SESSION_TTL/i;

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

function parseTtl(raw: string): number | undefined {
  const t = raw.trim();
  return /^\d+$/.test(t) && Number(t) > 0 ? Number(t) : undefined;
}

/** The workload to restart: the `app=` value of the selector, else the ConfigMap's name minus `-config`. */
function workloadName(selector: string, configMap: string): string {
  const app = /(?:^|,)\s*app\s*==?\s*([^,\s]+)/.exec(selector)?.[1];
  return app ?? configMap.replace(/-config$/, '');
}

function referencesConfigMap(c: ContainerView, cm: string): boolean {
  return c.envFromConfigMaps.includes(cm) || c.env.some((e) => e.configMapKeyRef?.name === cm);
}

interface Names {
  ns: string;
  cm: string;
  selector: string;
  app: string;
  expected: number;
}

function checkValue(cm: ConfigMapView | undefined, n: Names): { finding?: RawFinding; ttl?: number } {
  const patch =
    `kubectl patch configmap ${n.cm} -n ${n.ns} -p '{"data":{"${TTL_KEY}":"${n.expected}"}}' && ` +
    `kubectl rollout restart deployment/${n.app} -n ${n.ns}`;
  if (!cm) {
    return {
      finding: {
        id: missingKey.id,
        severity: 'critical',
        title: `ConfigMap ${n.cm} does not exist in namespace ${n.ns}`,
        detail: `The app's TTL comes from ConfigMap ${n.cm}, which was not found, so the app falls back to whatever its code defaults to.`,
        evidence: { namespace: n.ns, configMap: n.cm, exists: false, expectedTtlSeconds: n.expected },
        fix:
          `kubectl create configmap ${n.cm} -n ${n.ns} --from-literal=${TTL_KEY}=${n.expected} ` +
          `--from-literal=session_sliding_window=true, then kubectl rollout restart deployment/${n.app} ` +
          `-n ${n.ns}`,
      },
    };
  }
  const raw = cm.data[TTL_KEY];
  if (raw === undefined) {
    return {
      finding: {
        id: missingKey.id,
        severity: 'critical',
        title: `ConfigMap ${n.cm} has no ${TTL_KEY}`,
        detail: `ConfigMap ${n.cm} exists but lacks the key ${TTL_KEY}, so the app uses its built-in default TTL instead of ${count(n.expected)} s.`,
        evidence: {
          namespace: n.ns,
          configMap: n.cm,
          exists: true,
          keys: Object.keys(cm.data),
          expectedTtlSeconds: n.expected,
        },
        fix: patch,
      },
    };
  }
  const ttl = parseTtl(raw);
  if (ttl === undefined) {
    return {
      finding: {
        id: ttlNotExpected.id,
        severity: 'critical',
        title: `${TTL_KEY} in ${n.cm} is "${raw}", not a positive whole number of seconds`,
        detail: `The app cannot read "${raw}" as a TTL in seconds; depending on its parser sessions get no TTL, a default, or fail.`,
        evidence: { namespace: n.ns, configMap: n.cm, value: raw, expectedTtlSeconds: n.expected },
        fix: patch,
      },
    };
  }
  if (ttl !== n.expected) {
    const lower = ttl < n.expected;
    return {
      ttl,
      finding: {
        id: ttlNotExpected.id,
        severity: lower ? 'critical' : 'warning',
        title: `${TTL_KEY} is ${ttl} (${duration(ttl)}), expected ${n.expected} (${duration(n.expected)})`,
        detail: lower
          ? `ConfigMap ${n.cm} sets a TTL ${count(n.expected - ttl)} s shorter than the environment expects: sessions end early.`
          : `ConfigMap ${n.cm} sets a TTL longer than the environment expects: sessions outlive the policy.`,
        evidence: { namespace: n.ns, configMap: n.cm, configuredTtlSeconds: ttl, expectedTtlSeconds: n.expected },
        fix: patch,
      },
    };
  }
  return { ttl };
}

function checkReferenced(pods: PodView[], n: Names): RawFinding | undefined {
  const unreferenced = pods.filter((p) => !p.containers.some((c) => referencesConfigMap(c, n.cm))).map((p) => p.name);
  if (!unreferenced.length) return undefined;
  return {
    id: configMapNotReferenced.id,
    severity: 'warning',
    title: `${unreferenced.length} of ${pods.length} app pod(s) do not take env from ConfigMap ${n.cm}`,
    detail:
      `No container of ${unreferenced.join(', ')} has envFrom configMapRef ${n.cm} or an env ` +
      'valueFrom configMapKeyRef to it, so changing the ConfigMap does not change their TTL (runbook ' +
      'Scenario 6).',
    evidence: { namespace: n.ns, configMap: n.cm, selector: n.selector, pods: unreferenced, podsChecked: pods.length },
    fix:
      `Add "envFrom: [{configMapRef: {name: ${n.cm}}}]" to the app container in deployment/${n.app}, ` +
      `then kubectl rollout restart deployment/${n.app} -n ${n.ns}; verify with kubectl describe pod ` +
      `-n ${n.ns} -l ${n.selector} | grep -A 10 "Environment Variables from"`,
  };
}

function checkOverrides(pods: PodView[], cmTtl: number | undefined, n: Names): RawFinding[] {
  const reference = cmTtl ?? n.expected;
  // One finding per container/variable/value, however many replicas carry it.
  const groups = new Map<string, { container: string; variable: string; value: string; pods: string[] }>();
  for (const pod of pods) {
    for (const c of pod.containers) {
      for (const e of c.env) {
        if (!TTL_ENV.test(e.name) || e.value === undefined) continue;
        if (parseTtl(e.value) === reference) continue;
        const key = `${c.name}\0${e.name}\0${e.value}`;
        const g = groups.get(key) ?? { container: c.name, variable: e.name, value: e.value, pods: [] };
        g.pods.push(pod.name);
        groups.set(key, g);
      }
    }
  }
  return [...groups.values()].map((g) => {
    const override = parseTtl(g.value);
    // Lower than expected ends sessions early. A value that is not a number may be another knob
    // (SESSION_TTL_ENABLED=true), so it is only a warning.
    const critical = override !== undefined && override < n.expected;
    return {
      id: envOverrideMismatch.id,
      severity: critical ? 'critical' : 'warning',
      title: `${g.variable}=${g.value} in container ${g.container} overrides ${cmTtl !== undefined ? `the ConfigMap's ${cmTtl}` : `the expected ${n.expected}`}`,
      detail: `Pod(s) ${g.pods.join(', ')} set ${g.variable} explicitly to "${g.value}"${override !== undefined ? ` (${duration(override)})` : ' (not a number of seconds)'}; an explicit env value wins over ConfigMap ${n.cm}${cmTtl !== undefined ? ` (${TTL_KEY}=${cmTtl})` : ''}, so sessions get this TTL instead.`,
      evidence: {
        namespace: n.ns,
        pods: g.pods,
        container: g.container,
        variable: g.variable,
        value: g.value,
        configMapTtlSeconds: cmTtl ?? null,
        expectedTtlSeconds: n.expected,
      },
      fix:
        `Remove the explicit ${g.variable} from container ${g.container} of deployment/${n.app} ` +
        `(kubectl set env deployment/${n.app} -n ${n.ns} -c ${g.container} ${g.variable}-) so it comes ` +
        `from ConfigMap ${n.cm}; check with kubectl exec -n ${n.ns} <pod> -- env | grep SESSION_TTL`,
    };
  });
}

function checkStale(pods: PodView[], cm: ConfigMapView, n: Names): RawFinding | undefined {
  const changedAt = cm.lastChangedAt;
  if (changedAt === undefined) return undefined;
  const stale: { pod: string; container: string; startedAt: string | null }[] = [];
  for (const pod of pods) {
    for (const c of pod.containers) {
      if (!referencesConfigMap(c, n.cm)) continue;
      // Env is resolved when a container starts, so a container restarted after the change is current.
      const started = c.startedAt ?? pod.startedAt;
      if (started !== undefined && started < changedAt) {
        stale.push({ pod: pod.name, container: c.name, startedAt: iso(started) });
      }
    }
  }
  if (!stale.length) return undefined;
  const podNames = [...new Set(stale.map((s) => s.pod))];
  return {
    id: stalePods.id,
    severity: 'warning',
    title: `${podNames.length} pod(s) started before ConfigMap ${n.cm} last changed`,
    detail:
      `ConfigMap ${n.cm} changed at ${iso(changedAt)}; ${podNames.join(', ')} started earlier and ` +
      'still run with the old environment, because env vars are not reloaded without a restart.',
    evidence: { namespace: n.ns, configMap: n.cm, configMapChangedAt: iso(changedAt), stale },
    fix: `kubectl rollout restart deployment/${n.app} -n ${n.ns}`,
  };
}

/**
 * Runbook Diagnosis step 1 and Scenario 6: is the TTL the app runs with the one the environment expects?
 * Reads the app ConfigMap and the app pods; raises `config.missing_key`, `config.ttl_not_expected`,
 * `config.configmap_not_referenced`, `config.env_override_mismatch`, `config.stale_pods`, `config.no_pods`.
 */
export const envCheck = defineCheck({
  id: 'env-check',
  summary: 'Configured TTL in the app ConfigMap, env overrides and pods that did not pick up a change',
  needs: ['kubernetes'],
  findings: envCheckFindings,
  async run(ctx: CheckContext): Promise<RawFinding[]> {
    const k = ctx.env.kubernetes;
    if (!k) return [];
    const n: Names = {
      ns: k.namespace,
      cm: k.appConfigMap,
      selector: k.appSelector,
      app: workloadName(k.appSelector, k.appConfigMap),
      expected: ctx.env.expectedTtlSeconds,
    };
    const [cm, pods] = await Promise.all([ctx.cluster.readConfigMap(n.cm), ctx.cluster.listPods(n.selector)]);

    const findings: RawFinding[] = [];
    const value = checkValue(cm, n);
    if (value.finding) findings.push(value.finding);

    if (!pods.length) {
      findings.push({
        id: noPods.id,
        severity: 'warning',
        title: `No pods match ${n.selector} in namespace ${n.ns}`,
        detail: `Without app pods the bot cannot tell which TTL the app runs with (${ctx.cluster.description}).`,
        evidence: { namespace: n.ns, selector: n.selector },
        fix: `kubectl get pods -n ${n.ns} --show-labels, then set kubernetes.appSelector in the bot's config to the app's labels.`,
      });
      return findings;
    }

    if (cm) {
      const unreferenced = checkReferenced(pods, n);
      if (unreferenced) findings.push(unreferenced);
    }
    findings.push(...checkOverrides(pods, value.ttl, n));
    if (cm) {
      const stale = checkStale(pods, cm, n);
      if (stale) findings.push(stale);
    }
    return findings;
  },
});
