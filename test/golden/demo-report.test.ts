import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allChecks } from '../../src/diagnostics/all-checks.js';
import { createCheckRegistry } from '../../src/diagnostics/registry.js';
import { rankScenarios } from '../../src/diagnostics/scenarios.js';
import type { Report } from '../../src/diagnostics/types.js';
import { reportMessage } from '../../src/render/report-message.js';
import { renderReportText } from '../../src/render/terminal.js';
import { toBlockKit } from '../../src/chat/slack/render/block-kit.js';

/*
 * Golden files of the demo report: a change of wording, order or layout in the terminal or in Slack
 * fails here until the golden file is rewritten on purpose and reviewed in the diff:
 *
 *   UPDATE_GOLDEN=1 npx vitest run test/golden
 *
 * The input is a fixed report (test/golden/demo-report.json: the demo's findings with a fixed start
 * time, durations and address), so no Redis runs and the output never varies.
 */

const DIR = import.meta.dirname;
const update = process.env.UPDATE_GOLDEN === '1';
const report = JSON.parse(readFileSync(join(DIR, 'demo-report.json'), 'utf8')) as Report;

const terminalText = (r: Report) => renderReportText(r, { color: false });
const blockKitJson = (r: Report) => `${JSON.stringify(toBlockKit(reportMessage(r)), null, 2)}\n`;

/** Compares with the golden file, or rewrites it under UPDATE_GOLDEN=1. */
function expectGolden(name: string, actual: string): void {
  const path = join(DIR, name);
  if (update) {
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `${name} is missing: run UPDATE_GOLDEN=1 npx vitest run test/golden`).toBe(true);
  expect(
    actual,
    `${name} differs: if the change is intended, run UPDATE_GOLDEN=1 npx vitest run test/golden and review the diff`,
  ).toBe(readFileSync(path, 'utf8'));
}

/** The demo store with Redis gone: what the reader sees first is the refused connection, then what was not checked. */
function redisDown(): Report {
  const message = 'Redis at 127.0.0.1:6390 is unreachable: it refused the connection (ECONNREFUSED).';
  const redisChecks = new Set(['ttl-sample', 'memory', 'eviction-policy', 'write-pattern', 'clock-skew', 'aof']);
  const r = structuredClone(report);
  r.checks = r.checks.map((c) => (redisChecks.has(c.id) ? { id: c.id, status: 'error', durationMs: 3, message } : c));
  r.findings = [
    {
      id: 'redis.unreachable',
      check: 'ttl-sample',
      severity: 'critical',
      title: 'Session store unreachable',
      detail: message,
      evidence: { address: '127.0.0.1:6390', code: 'ECONNREFUSED', kind: 'unreachable' },
      fix: 'Check that Redis is up (runbook: RedisSessionStoreDown), the URL and the credentials.',
    },
    ...r.findings.filter((f) => f.check === 'env-check'),
  ];
  // Ranked as the engine ranks them, so the fixture cannot claim what the findings do not.
  r.scenarios = rankScenarios(r.findings, r.checks, createCheckRegistry(allChecks).catalogue, 'langgraph-agent');
  return r;
}

describe('the demo report, golden', () => {
  it('in the terminal (no colour) matches demo-report.terminal.txt', () => {
    expectGolden('demo-report.terminal.txt', terminalText(report));
  });

  it('in Slack (Block Kit and fallback text) matches demo-report.block-kit.json', () => {
    expectGolden('demo-report.block-kit.json', blockKitJson(report));
  });

  it('with Redis down, in the terminal and in Slack, matches demo-redis-down.*', () => {
    expectGolden('demo-redis-down.terminal.txt', terminalText(redisDown()));
    expectGolden('demo-redis-down.block-kit.json', blockKitJson(redisDown()));
  });

  it.skipIf(update)('notices a one-word change of a finding, in both renderings', () => {
    const reworded = structuredClone(report);
    reworded.findings[0]!.title = reworded.findings[0]!.title.replace('escalate', 'escalated');
    expect(terminalText(reworded)).not.toBe(readFileSync(join(DIR, 'demo-report.terminal.txt'), 'utf8'));
    expect(blockKitJson(reworded)).not.toBe(readFileSync(join(DIR, 'demo-report.block-kit.json'), 'utf8'));
  });
});
