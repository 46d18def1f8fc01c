/**
 * Prints one plain closing line, `tests: N passed, N failed[, N skipped]`, after vitest's own
 * summary, so CI systems that read a closing line see how many tests ran; before it, one line saying
 * how many tests were skipped for want of the real data and how to enable them.
 */
import type { Reporter, TestModule } from 'vitest/node';
import { REAL_DATA_TAG } from './real-data.js';
import { REDIS_TAG } from './redis.js';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    let withoutData = 0;
    let withoutRedis = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else {
          skipped++;
          if (test.fullName.includes(REAL_DATA_TAG)) withoutData++;
          if (test.fullName.includes(REDIS_TAG)) withoutRedis++;
        }
      }
      // A file that failed outside its tests (an import, a beforeAll/afterAll hook) counts once.
      if (module.state() === 'failed' && [...module.children.allTests()].every((test) => test.result().state !== 'failed')) failed++;
    }
    if (withoutData > 0) {
      process.stdout.write(
        `\nreal data: ${withoutData} tests skipped (no data at $GRPO_TRADER_DATA or ../shared/data); set GRPO_TRADER_DATA to a folder holding us-equities-daily/, crypto/ and messy/ to run them\n`,
      );
    }
    if (withoutRedis > 0) process.stdout.write(`\nredis: ${withoutRedis} queue tests skipped (no redis-server on the PATH and no GRPO_TRADER_REDIS_URL); install Debian's redis-server to run them\n`);
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`);
  }
}
