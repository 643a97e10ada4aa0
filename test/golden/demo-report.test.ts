import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/diagnostics/types.js';
import { reportMessage } from '../../src/render/report-message.js';
import { renderReportText } from '../../src/render/terminal.js';
import { toBlockKit } from '../../src/slack/render/block-kit.js';

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
  expect(actual, `${name} differs: if the change is intended, run UPDATE_GOLDEN=1 npx vitest run test/golden and review the diff`).toBe(
    readFileSync(path, 'utf8'),
  );
}

describe('the demo report, golden', () => {
  it('in the terminal (no colour) matches demo-report.terminal.txt', () => {
    expectGolden('demo-report.terminal.txt', terminalText(report));
  });

  it('in Slack (Block Kit and fallback text) matches demo-report.block-kit.json', () => {
    expectGolden('demo-report.block-kit.json', blockKitJson(report));
  });

  it.skipIf(update)('notices a one-word change of a finding, in both renderings', () => {
    const reworded = structuredClone(report);
    reworded.findings[0]!.title = reworded.findings[0]!.title.replace('escalate', 'escalated');
    expect(terminalText(reworded)).not.toBe(readFileSync(join(DIR, 'demo-report.terminal.txt'), 'utf8'));
    expect(blockKitJson(reworded)).not.toBe(readFileSync(join(DIR, 'demo-report.block-kit.json'), 'utf8'));
  });
});
