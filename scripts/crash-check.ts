/**
 * `npm run crash-check -- [--points N] [--tail N] [--commands train,online,serve,sweep,walk-forward] [--named all|N]
 * [--only POINT,...] [--size quick|full] [--root DIR] [--keep]`: kill every long-running command with SIGKILL at N moments
 * spread over its run and at its named crash points, resume it, and compare its outputs with an
 * uninterrupted run byte for byte (test/crash-check.ts, docs/crash-check.md). Exit code 1 when a kill
 * point did not hold.
 */
import { formatCrashReport, parseCrashCheckArguments, runCrashCheck } from '../test/crash-check.js';

let options;
try {
  options = parseCrashCheckArguments(process.argv.slice(2));
} catch (error) {
  process.stderr.write(`crash-check: ${(error as Error).message}\n`);
  process.exit(64);
}
const results = await runCrashCheck({ ...options, onLine: (line) => process.stderr.write(line) });
process.stdout.write(formatCrashReport(results));
process.exitCode = results.some((r) => r.status === 'failed') ? 1 : 0;
