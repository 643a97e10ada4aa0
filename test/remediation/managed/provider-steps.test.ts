import { describe, expect, it } from 'vitest';
import { providerSteps } from '../../../src/remediation/managed/provider-steps.js';

const policy = { parameter: 'maxmemory-policy', value: 'volatile-lru' };

describe('providerSteps', () => {
  it('gives ElastiCache a custom parameter group, the exact pair, and the group attached to the replication group', () => {
    const s = providerSteps('elasticache', [policy]);
    expect(s.settings).toEqual([policy]);
    expect(s.steps.map((x) => x.command ?? '')).toEqual([
      expect.stringContaining('aws elasticache create-cache-parameter-group --cache-parameter-group-name <group>'),
      'aws elasticache modify-cache-parameter-group --cache-parameter-group-name <group> ' +
        '--parameter-name-values ParameterName=maxmemory-policy,ParameterValue=volatile-lru',
      expect.stringContaining('aws elasticache modify-replication-group --replication-group-id <replication-group>'),
      '',
    ]);
  });

  it('names maxmemory as the service does: maxmemory-gb on Memorystore, the node size elsewhere', () => {
    const gcp = providerSteps('memorystore', [{ parameter: 'maxmemory', value: '512mb' }, policy]);
    expect(gcp.settings).toEqual([{ parameter: 'maxmemory-gb', value: '0.5' }, policy]);
    expect(gcp.steps[0]?.command).toBe(
      'gcloud redis instances update <instance> --region <region> --update-redis-config maxmemory-gb=0.5,maxmemory-policy=volatile-lru',
    );
    const azure = providerSteps('azure', [{ parameter: 'maxmemory', value: '2gb' }]);
    expect(azure.steps).toEqual([]);
    expect(azure.notSettable[0]?.instead).toContain('az redis update --name <name>');
  });

  it('leaves the AOF rewrite settings to the service, with no step to run', () => {
    const s = providerSteps('elasticache', [{ parameter: 'auto-aof-rewrite-percentage', value: '100' }]);
    expect(s.steps).toEqual([]);
    expect(s.notSettable).toEqual([
      { parameter: 'auto-aof-rewrite-percentage', instead: expect.stringContaining('run by the service') },
    ]);
  });
});
