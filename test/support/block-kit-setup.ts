import { afterEach, expect } from 'vitest';
import { takeRecordedViolations } from '../fakes/block-kit-limits.js';

// Every test's Slack traffic goes through the fake Slack (and its acks through the signed-request helper),
// which check Slack's documented Block Kit limits: a test fails when anything it sent breaks one.
afterEach(() => {
  expect(takeRecordedViolations(), 'Slack payloads over Block Kit limits (test/fakes/block-kit-limits.ts)').toEqual([]);
});
