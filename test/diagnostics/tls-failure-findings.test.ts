import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/config.js';
import { RedisSourceError } from '../../src/core/ports/redis-source-error.js';
import { defineCheck } from '../../src/diagnostics/define-check.js';
import { runDiagnosis } from '../../src/diagnostics/engine.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';

// Issue 20: a node whose TLS handshake failed is named by one redis.tls finding; the other checks' connections
// to it, closed after the refused handshake, do not add "Session store unreachable" beside it (they still end
// in error: the report stays incomplete). Another node's unreachable finding stays.

const failing = (id: string, kind: 'tls' | 'unreachable', address: string) =>
  defineCheck({
    id,
    summary: `fails with ${kind} on ${address}`,
    needs: [],
    findings: [],
    async run() {
      throw new RedisSourceError(`Redis at ${address}: ${kind} failure`, { kind, address, code: 'X' });
    },
  });

const config = parseConfig(
  { environments: { dev: { profile: 'development', redis: { url: 'rediss://127.0.0.1:1' } } } },
  'tls-failure-findings',
);

describe('a TLS failure beside connection failures', () => {
  it('reports redis.tls for the node, not also redis.unreachable; another node stays unreachable', async () => {
    const registry = createCheckRegistry([
      failing('handshake', 'tls', 'a:1'),
      failing('closed-after', 'unreachable', 'a:1'),
      failing('elsewhere', 'unreachable', 'b:2'),
    ]);
    const report = await runDiagnosis({ config, registry, sourcesFor: () => ({}) }, { envName: 'dev' });
    const found = report.findings.map((f) => [f.id, f.evidence.address]);
    expect(found).toContainEqual(['redis.tls', 'a:1']);
    expect(found).not.toContainEqual(['redis.unreachable', 'a:1']);
    expect(found).toContainEqual(['redis.unreachable', 'b:2']);
    expect(report.checks.map((c) => c.status)).toEqual(['error', 'error', 'error']);
  });
});
