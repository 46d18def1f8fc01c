import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['./test/fast-check-setup.ts', './test/isolated-store.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
