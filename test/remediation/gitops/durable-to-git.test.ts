import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { manifestChangesOf, manifestPathOf } from '../../../src/remediation/gitops/durable-to-git.js';
import { editManifestChanges } from '../../../src/remediation/gitops/manifest-edit.js';
import { unifiedDiff } from '../../../src/remediation/gitops/unified-diff.js';

const object = {
  kind: 'ConfigMap',
  namespace: 'langgraph-agent',
  name: 'redis-session-config',
  key: 'redis.conf',
} as const;
const conf = 'maxmemory 512mb\nmaxmemory-policy allkeys-lru\nappendonly yes\n';

describe('manifestChangesOf (part A durable step -> manifest edits)', () => {
  it('the directives whose lines changed or were added, with their new values', () => {
    const after = conf.replace('allkeys-lru', 'volatile-lru') + 'auto-aof-rewrite-percentage 200\n';
    const changes = manifestChangesOf({ object, before: conf, after });
    expect(changes.map((c) => (c.kind === 'redis-directive' ? [c.directive, c.value] : []))).toEqual([
      ['maxmemory-policy', 'volatile-lru'],
      ['auto-aof-rewrite-percentage', '200'],
    ]);
    const path = 'manifests/demo/redis-session.yaml';
    const file = readFileSync(path, 'utf8');
    const diff = unifiedDiff(path, file, editManifestChanges(path, file, changes).text);
    expect(diff.split('\n').filter((l) => /^[-+] /.test(l))).toEqual([
      '-    maxmemory-policy allkeys-lru',
      '+    maxmemory-policy volatile-lru',
      '+    auto-aof-rewrite-percentage 200',
    ]);
  });

  it('another key is that key; the file is found by ConfigMap name', () => {
    const app = { ...object, name: 'langgraph-agent-config', key: 'session_sliding_window' };
    expect(manifestChangesOf({ object: app, before: 'false', after: 'true' })).toEqual([
      { kind: 'data-key', configMap: 'langgraph-agent-config', key: 'session_sliding_window', value: 'true' },
    ]);
    const names = { redisConfigMap: 'redis-session-config', appConfigMap: 'langgraph-agent-config' };
    expect(manifestPathOf({ redisConfigMap: 'r.yaml' }, names, 'redis-session-config')).toBe('r.yaml');
    expect(manifestPathOf({ redisConfigMap: 'r.yaml' }, names, 'langgraph-agent-config')).toBeUndefined();
  });
});
