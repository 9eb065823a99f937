import { defineConfig } from 'vitest/config';

// Two projects: pure domain rules run without any server; everything else shares
// one set of real servers (PostgreSQL, Temporal dev + time-skipping, SMTP) started once.
export default defineConfig({
  test: {
    // Integration files share one set of servers and one database: run files one at a time.
    fileParallelism: false,
    reporters: ['default', 'json'],
    outputFile: { json: 'test-artifacts/vitest-report.json' },
    projects: [
      { test: { name: 'unit', include: ['test/domain/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/domain/**'],
          globalSetup: ['test/setup/global.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Real servers on a shared 2-core machine: a poll waits for work that runs elsewhere (a
          // workflow, a real extract), and returns as soon as it holds, so its limit is generous.
          expect: { poll: { timeout: 10_000 } },
          pool: 'forks',
        },
      },
    ],
  },
});
