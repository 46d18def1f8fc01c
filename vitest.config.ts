import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
    // Two files at a time on 2 cores: many tests wait on child processes, sockets or Redis.
    maxWorkers: 2,
    setupFiles: ['./test/fast-check-setup.ts', './test/isolated-store.ts'],
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
