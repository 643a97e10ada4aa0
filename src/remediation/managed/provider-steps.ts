import type { RedisProvider } from '../../config/redis-provider.js';
import { parseRedisMemory } from '../actions/memory-size.js';

/** A managed service: `redis.provider` other than self-managed. */
export type ManagedProvider = Exclude<RedisProvider, 'self-managed'>;

/** A Redis parameter an action sets with CONFIG SET, and the value it sets. */
export interface RedisParameterValue {
  parameter: string;
  value: string;
}

/** One step for a person: what to do, and the command that does it when there is one. */
export interface ProviderStep {
  text: string;
  command?: string;
}

/**
 * How to make an action's change on a managed service, in the service's own terms (the bot sends no
 * CONFIG there): the parameters as the service names them, the steps, and the parameters the service
 * does not let a customer set, with what to do instead. Data only: rendering is elsewhere.
 */
export interface ProviderSteps {
  provider: ManagedProvider;
  /** The parameters as the service names them, with their values (e.g. `maxmemory-gb` on Memorystore). */
  settings: RedisParameterValue[];
  steps: ProviderStep[];
  notSettable: { parameter: string; instead: string }[];
}

type Mapped = { settable: RedisParameterValue } | { instead: string };

const AOF_MANAGED = 'AOF rewrites are run by the service; a customer cannot tune them';

/** maxmemory: ElastiCache and Azure derive it from the node size; Memorystore takes `maxmemory-gb`. */
function maxmemory(provider: ManagedProvider, value: string): Mapped {
  if (provider === 'memorystore') {
    const bytes = parseRedisMemory(value);
    const gb = bytes === undefined ? '<GB>' : String(Math.round((bytes / 1024 ** 3) * 10) / 10);
    return { settable: { parameter: 'maxmemory-gb', value: gb } };
  }
  if (provider === 'elasticache')
    return {
      instead:
        'maxmemory is set by the node type: move to a larger one (aws elasticache modify-replication-group ' +
        '--replication-group-id <replication-group> --cache-node-type <node-type> --apply-immediately)',
    };
  return {
    instead:
      'maxmemory is set by the cache size: scale up (az redis update --name <name> --resource-group <resource-group> ' +
      '--sku <sku> --vm-size <size>)',
  };
}

/** A parameter as the service takes it, or what to do instead when the service keeps it to itself. */
function mapParameter(provider: ManagedProvider, s: RedisParameterValue): Mapped {
  if (s.parameter === 'maxmemory') return maxmemory(provider, s.value);
  if (s.parameter.startsWith('auto-aof-rewrite-')) return { instead: AOF_MANAGED };
  return { settable: s };
}

function elasticacheSteps(settings: RedisParameterValue[]): ProviderStep[] {
  const pairs = settings.map((s) => `ParameterName=${s.parameter},ParameterValue=${s.value}`).join(' ');
  return [
    {
      text: 'A default parameter group cannot be changed: create a custom one in the cluster’s family (skip if the cluster already uses one)',
      command:
        'aws elasticache create-cache-parameter-group --cache-parameter-group-name <group> ' +
        '--cache-parameter-group-family <family, e.g. redis7> --description "session store"',
    },
    {
      text: `Set ${settings.map((s) => `${s.parameter} = ${s.value}`).join(', ')} in the custom parameter group`,
      command: `aws elasticache modify-cache-parameter-group --cache-parameter-group-name <group> --parameter-name-values ${pairs}`,
    },
    {
      text: 'Attach the group to the replication group (every node, replicas included)',
      command:
        'aws elasticache modify-replication-group --replication-group-id <replication-group> ' +
        '--cache-parameter-group-name <group> --apply-immediately',
    },
  ];
}

function memorystoreSteps(settings: RedisParameterValue[]): ProviderStep[] {
  const config = settings.map((s) => `${s.parameter}=${s.value}`).join(',');
  return [
    {
      text: `Set ${settings.map((s) => `${s.parameter} = ${s.value}`).join(', ')} in the instance configuration (no restart)`,
      command: `gcloud redis instances update <instance> --region <region> --update-redis-config ${config}`,
    },
  ];
}

function azureSteps(settings: RedisParameterValue[]): ProviderStep[] {
  const sets = settings.map((s) => `--set "redisConfiguration.${s.parameter}"="${s.value}"`).join(' ');
  return [
    {
      text: `Set ${settings.map((s) => `${s.parameter} = ${s.value}`).join(', ')} in the cache’s Redis configuration`,
      command: `az redis update --name <name> --resource-group <resource-group> ${sets}`,
    },
  ];
}

const STEPS: Record<ManagedProvider, (settings: RedisParameterValue[]) => ProviderStep[]> = {
  elasticache: elasticacheSteps,
  memorystore: memorystoreSteps,
  azure: azureSteps,
};

/**
 * The provider's own steps for setting `settings` (what the action would CONFIG SET), with the exact
 * parameter names and values, then a re-run of the diagnosis to confirm.
 *
 * @example
 * providerSteps('memorystore', [{ parameter: 'maxmemory-policy', value: 'volatile-lru' }]).steps[0]?.command
 * // 'gcloud redis instances update <instance> --region <region> --update-redis-config maxmemory-policy=volatile-lru'
 */
export function providerSteps(provider: ManagedProvider, settings: readonly RedisParameterValue[]): ProviderSteps {
  const out: ProviderSteps = { provider, settings: [], steps: [], notSettable: [] };
  for (const s of settings) {
    const m = mapParameter(provider, s);
    if ('settable' in m) out.settings.push(m.settable);
    else out.notSettable.push({ parameter: s.parameter, instead: m.instead });
  }
  if (out.settings.length) {
    out.steps.push(...STEPS[provider](out.settings));
    out.steps.push({ text: 'Re-run the diagnosis: the checks read the new values from INFO' });
  }
  return out;
}
