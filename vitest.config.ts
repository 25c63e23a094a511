import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    // Each integration file owns its sandboxes (RIE + runtime, own ports): two files at a
    // time suit a 2-core machine (vitest's default there would be one).
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    teardownTimeout: 30_000,
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          // Type tests of the public API: tsc checks test/types/*.test-d.ts (expectTypeOf and
          // expected-error directives); each `test` counts in the summary.
          name: 'types',
          include: [],
          typecheck: { enabled: true, only: true, include: ['test/types/**/*.test-d.ts'], tsconfig: 'tsconfig.json' },
        },
      },
      {
        test: {
          // Lint, package checks (publint, attw) and deploy template validation (cfn-lint, CDK synth).
          name: 'checks',
          include: ['test/checks/**/*.test.ts', 'examples/deploy/**/*.test.ts'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          globalSetup: ['test/rig/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
