import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    hookTimeout: 120_000,
    testTimeout: 60_000,
    // A poll waits for what a page or a service does next, which a loaded machine makes slow: as
    // long as a browser step waits (CASEWORK_BROWSER_TIMEOUT_MS), not the default second.
    expect: { poll: { timeout: 30_000 } },
    pool: 'forks',
    // The S3 emulator uses node:sqlite, experimental on Node 22: its warning (only it) is dropped.
    setupFiles: ['test/setup.ts'],
    // The handlers' JSON logs stay quiet in tests unless asked for (POWERTOOLS_LOG_LEVEL=INFO npm test).
    env: { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT' },
  },
});
