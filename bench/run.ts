/**
 * `npm run bench [-- NAME ...] [-- --json]`: runs every benchmark in bench/*.bench.ts (or those whose
 * name starts with one of the NAMEs) and prints one JSON object per line on stdout. Progress goes to
 * stderr.
 */
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { MissingBenchData, type Benchmark } from './harness.js';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));

const files = (await readdir(here)).filter((file) => file.endsWith('.bench.ts')).sort();
const benchmarks: Benchmark[] = [];
for (const file of files) {
  const module = (await import(pathToFileURL(join(here, file)).href)) as { benchmarks: Benchmark[] };
  benchmarks.push(...module.benchmarks);
}
const selected = benchmarks.filter((b) => filters.length === 0 || filters.some((f) => b.name === f || b.name.startsWith(f)));
if (selected.length === 0) {
  process.stderr.write(`bench: no benchmark matches ${filters.join(', ')}; known: ${benchmarks.map((b) => b.name).join(', ')}\n`);
  process.exit(64);
}
for (const benchmark of selected) {
  process.stderr.write(`bench: ${benchmark.name} — ${benchmark.description}\n`);
  let results;
  try {
    results = await benchmark.run();
  } catch (error) {
    if (!(error instanceof MissingBenchData)) throw error;
    process.stderr.write(`bench: ${benchmark.name} skipped: ${error.message}\n`);
    continue;
  }
  for (const result of Array.isArray(results) ? results : [results]) process.stdout.write(`${JSON.stringify(result)}\n`);
}
