/**
 * serve.predict: `POST /v1/predict` (an observation: the hot path a trading client uses) driven with
 * autocannon on 127.0.0.1 for a bounded time, at concurrency 1 and 8: p50/p99 latency and
 * requests/s, for the demo model (the DeepSeek-R1 policy at the demo's sizes), the MLP policy (through
 * onnxruntime-node when installed, and on jax-js) and the DeepSeek-R1 policy at the specification's sizes — and, as the reference in the same run, the same
 * server with a no-op model (routing, JSON parsing, validation and serialisation only). Also: the
 * server's resident memory before and after 20,000 more requests. The server runs in a child
 * process (bench/serve-child.ts), so the load generator does not share its event loop.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { round, type Benchmark, type BenchResult } from './harness.js';

const DURATION_S = 5;
const here = dirname(fileURLToPath(import.meta.url));

async function trainModel(directory: string, policy: 'mlp' | 'deepseek', deepseek: Record<string, unknown> | undefined) {
  const { parseTrainConfig, runTraining } = await import('../src/agents/index.js');
  const { syntheticRegimeMarket } = await import('../src/data/index.js');
  const { buildFeatureTensor } = await import('../src/env/index.js');
  const { DEMO_MARKET } = await import('../src/cli/commands/demo.js');
  const market = syntheticRegimeMarket({ assets: 6, bars: 800, seed: 7, ...DEMO_MARKET }).market;
  const day = (t: number) => new Date(market.time[t]!).toISOString().slice(0, 10);
  const config = parseTrainConfig(
    {
      seed: 0,
      data: { symbols: market.symbols, features: 'normalized' },
      splits: { train: { from: day(0), to: day(600) }, validation: null, test: null },
      environment: { type: 'multi_asset', lookback: 5, returnHistory: 10, episodeLength: 63 },
      algorithm: { type: 'grpo', policy, ...(deepseek ? { deepseek } : {}), hiddenSizes: [64], initialMean: 'equal' },
      training: { updates: 1, envs: 1, evalInterval: 1, patience: 0, checkpointInterval: 1 },
    },
    'serve bench config',
  );
  const features = buildFeatureTensor(market, { features: config.data.features });
  await runTraining(config, { outDir: directory, prepared: { market, features }, skipTest: true });
}

async function drive(url: string, body: string, connections: number, duration: number) {
  const result = await autocannon({ url: `${url}/v1/predict`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections, duration });
  if (result.non2xx > 0 || result.errors > 0) throw new Error(`serve bench: ${result.non2xx} non-2xx responses, ${result.errors} errors`);
  return { p50: result.latency.p50, p99: result.latency.p99, rps: result.requests.average, requests: result.requests.total };
}

/** Start the benchmark's server in a child process; resolves with its URL. */
function startChild(kind: 'model' | 'noop', directory: string, engine: 'auto' | 'jax' = 'auto'): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(here, 'serve-child.ts'), kind, directory, engine], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /(http:\/\/[\d.:]+)/.exec(out);
      if (match) resolve({ url: match[1]!, child });
    });
    child.on('exit', (code) => reject(new Error(`serve bench child exited with ${code}`)));
  });
}

/** The child's resident memory, from its Prometheus metrics. */
async function residentMiB(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/grpo_trader_process_resident_memory_bytes (\d+)/.exec(text)![1]) / 2 ** 20;
}

async function run(): Promise<BenchResult[]> {
  const { DEMO_DEEPSEEK } = await import('../src/cli/commands/demo.js');
  const dir = await mkdtemp(join(tmpdir(), 'grpo-serve-bench-'));
  const results: BenchResult[] = [];
  const children: ChildProcess[] = [];
  try {
    const models = { demo: join(dir, 'demo'), demo_jax: join(dir, 'demo'), mlp: join(dir, 'mlp'), mlp_jax: join(dir, 'mlp'), deepseek_spec: join(dir, 'deepseek-spec'), deepseek_spec_jax: join(dir, 'deepseek-spec') };
    await trainModel(models.demo, 'deepseek', DEMO_DEEPSEEK);
    await trainModel(models.mlp, 'mlp', undefined);
    await trainModel(models.deepseek_spec, 'deepseek', undefined);
    const observation = (size: number) => JSON.stringify({ observation: Array.from({ length: size }, (_, i) => Math.sin(i) * 0.1) });
    const sizeOf = async (url: string) => ((await (await fetch(`${url}/v1/models`)).json()) as { models: { observation_size: number }[] }).models[0]!.observation_size;

    // The reference: the same server and request, a model that answers at once.
    const noop = await startChild('noop', models.demo);
    children.push(noop.child);
    const noopBody = observation(await sizeOf(noop.url));
    await drive(noop.url, noopBody, 8, 1);
    const reference = { 1: await drive(noop.url, noopBody, 1, DURATION_S), 8: await drive(noop.url, noopBody, 8, DURATION_S) };
    noop.child.kill();

    for (const [name, directory] of Object.entries(models)) {
      // NAME: onnxruntime-node when installed (the default engine); NAME_jax: the same model on jax-js.
      const server = await startChild('model', directory, name.endsWith('_jax') ? 'jax' : 'auto');
      children.push(server.child);
      const size = await sizeOf(server.url);
      const body = observation(size);
      // Warm-up compiles every batch shape the runs will use.
      await drive(server.url, body, 8, 2);
      await drive(server.url, body, 1, 1);
      for (const connections of [1, 8] as const) {
        const m = await drive(server.url, body, connections, DURATION_S);
        const ref = reference[connections];
        results.push({
          name: `serve.predict.${name}.c${connections}`,
          value: round(m.rps),
          unit: 'requests_per_second',
          reference: round(ref.rps),
          reference_name: 'the same server with a no-op model (HTTP, JSON, validation, serialisation)',
          ratio: round(m.rps / ref.rps),
          runs: 1,
          connections,
          duration_s: DURATION_S,
          requests: m.requests,
          p50_ms: m.p50,
          p99_ms: m.p99,
          reference_p50_ms: ref.p50,
          reference_p99_ms: ref.p99,
          observation_size: size,
          engine: ((await (await fetch(`${server.url}/v1/models`)).json()) as { models: { engine: string }[] }).models[0]!.engine,
        });
      }
      if (name === 'demo') {
        // Resident memory of the server over 20,000 more requests (after the runs above warmed it up).
        const before = await residentMiB(server.url);
        const r = await autocannon({ url: `${server.url}/v1/predict`, method: 'POST', headers: { 'content-type': 'application/json' }, body, connections: 8, amount: 20_000 });
        const after = await residentMiB(server.url);
        results.push({ name: 'serve.predict.demo.memory', value: round(after - before), unit: 'MiB resident memory growth of the server over 20,000 requests', reference: round(before), reference_name: 'resident memory before (MiB)', ratio: null, runs: 1, requests: r.requests.total, non2xx: r.non2xx });
      }
      server.child.kill();
    }
  } finally {
    for (const child of children) child.kill();
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}

export const benchmarks: Benchmark[] = [{ name: 'serve.predict', description: 'POST /v1/predict with autocannon at concurrency 1 and 8 (demo, MLP and spec-size DeepSeek-R1 models) vs a no-op model', run }];
