import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/rig/global-setup.ts'],
          pool: 'forks',
          // Each file owns one sandbox (RIE + runtime); two at a time suit a 2-core machine.
          poolOptions: { forks: { maxForks: 2, minForks: 1 } },
          testTimeout: 120_000,
          hookTimeout: 120_000,
          teardownTimeout: 30_000,
        },
      },
    ],
  },
});
