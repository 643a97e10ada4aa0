import { afterEach, expect } from 'vitest';
import { takeRecordedViolations } from '../fakes/block-kit-limits.js';

// Every test's Slack traffic goes through the fake Slack (and its acks through the signed-request helper),
// which check Slack's documented Block Kit limits; every test's Teams traffic goes through the fake Bot
// Connector (and its invoke answers through sendActivity), which check Teams' Adaptive Card limits and
// Microsoft's Adaptive Cards parser: a test fails when anything it sent breaks one.
afterEach(() => {
  expect(
    takeRecordedViolations(),
    "chat payloads over the platforms' limits (test/fakes/block-kit-limits.ts, test/fakes/adaptive-card-limits.ts)",
  ).toEqual([]);
});
