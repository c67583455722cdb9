import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Chromium may need installing on a fresh machine (the browser test does it).
    hookTimeout: 900_000,
    testTimeout: 60_000,
    pool: 'forks',
    // The handlers' JSON logs stay quiet in tests unless asked for (POWERTOOLS_LOG_LEVEL=INFO npm test).
    env: { POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'SILENT' },
  },
});
