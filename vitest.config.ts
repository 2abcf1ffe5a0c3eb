import { defineConfig } from 'vitest/config';

/**
 * One suite in five layers (DESIGN §2): unit is pure, integration touches real SQLite and files, api drives
 * createApp() through supertest, e2e starts real processes on loopback, ui drives Chromium against one.
 * Each layer is a project, so `vitest run --project unit` runs one of them and `vitest run` runs them all.
 */
const layer = (name: string, timeoutMs: number) => ({
  extends: true as const,
  test: { name, include: [`test/${name}/**/*.test.ts`], testTimeout: timeoutMs, hookTimeout: timeoutMs },
});

export default defineConfig({
  test: {
    // Each file gets its own process, as under node --test: native SQLite handles and module state never leak.
    pool: 'forks',
    // The JSON report is what .ci/run counts, so a run that executed no test cannot look green.
    reporters: ['default', ['json', { outputFile: '.vitest/results.json' }]],
    maxWorkers: 2,
    // node:assert throws AssertionError; vitest reports it with its diff like its own expect().
    // ui drives Debian's Chromium against a real `satellite serve`; its global setup builds the web UI first.
    projects: [
      layer('unit', 30_000), layer('integration', 120_000), layer('api', 120_000), layer('e2e', 180_000),
      { ...layer('ui', 180_000), test: { ...layer('ui', 180_000).test, globalSetup: ['test/ui/build-web-ui.ts'] } },
    ],
    coverage: {
      provider: 'v8',
      include: ['licensing/**/*.ts', 'protocol/**/*.ts', 'db/**/*.ts', 'sync/**/*.ts', 'server/**/*.ts', 'agent/**/*.ts', 'scripts/**/*.ts'],
      exclude: ['scripts/bench/**'],
      reporter: ['text-summary', 'text', 'html', 'json-summary'],
      reportsDirectory: 'coverage',
    },
  },
});
