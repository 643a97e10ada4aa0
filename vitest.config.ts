import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Block Kit limits over every test's Slack traffic (test/fakes/block-kit-limits.ts).
    setupFiles: ['test/support/block-kit-setup.ts'],
    // Each worker is its own process (tests set process.env) with its own redis-server (global setup),
    // so files run in parallel. Much of the suite waits on I/O (Redis, child processes, TTLs decaying),
    // so more workers than CPUs pays off (2 CPUs: 4 workers ran the suite in 18-25 s, 2 workers in 23-25 s);
    // --maxWorkers or VITEST_MAX_WORKERS overrides.
    pool: 'forks',
    fileParallelism: true,
    // A worker keeps its module graph between files instead of importing ioredis, Bolt and the
    // Kubernetes client again for every file (that import was most of the suite's time). Test files
    // must therefore leave no global state behind (process.env, module-level singletons); `--isolate`
    // runs each file in a fresh module graph to rule that out.
    isolate: false,
    maxWorkers: Math.max(4, availableParallelism()),
    // Timeouts bound how long a hung test takes, nothing more: no test asserts its speed through them
    // (performance is measured by `npm run bench`), and a loaded machine (two suites at once on 2 cores)
    // must not fail a test that is only slow.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: process.env.CI_JSON_REPORT
      ? ['default', ['json', { outputFile: process.env.CI_JSON_REPORT }]]
      : ['default'],
  },
});
