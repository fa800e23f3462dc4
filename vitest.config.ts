import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Handlers log every outcome as JSON; tests read outcomes from return values instead.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        // Property tests push 100k-character inputs through intake, decide and rendering: on a busy
        // 2-core CI machine they need more than the default 5 s.
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], testTimeout: 30_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          exclude: ['test/integration/soak.test.ts'],
          // One emulator for the whole run; each test file creates resources under its own names.
          globalSetup: ['test/support/emulator-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        extends: true,
        // The soak runs last, on its own: it judges what faults the proxy injected, and an emulator
        // shared with the other test files, on a busy machine, can outlast the client's timeout and
        // lose answers nobody injected (RELIABILITY.md).
        test: {
          name: 'soak',
          include: ['test/integration/soak.test.ts'],
          globalSetup: ['test/support/emulator-global-setup.ts'],
          sequence: { groupOrder: 1 },
          testTimeout: 900_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
