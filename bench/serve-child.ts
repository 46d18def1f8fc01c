/**
 * The server of the serve.predict benchmark, in its own process so that the load generator does not
 * share its event loop: `node --import tsx bench/serve-child.ts model|noop DIR` prints its URL.
 * `noop` serves a model that answers at once (the benchmark's reference), with DIR's shapes.
 */
import { ModelPredictor } from '../src/agents/index.js';
import { buildServer } from '../src/server/app.js';
import { ModelRegistry } from '../src/server/registry.js';
import { initEngine } from '../src/nn/index.js';

const [kind, directory] = process.argv.slice(2);
await initEngine({ threads: 1 });
const model = await ModelPredictor.load(directory!, undefined, { engine: (process.argv[4] as 'auto' | 'onnx' | 'jax' | undefined) ?? 'auto' });
const registry = new ModelRegistry();
if (kind === 'noop') {
  const prediction = { date: null, weights: [0], action: [0], distribution: { mean: [0], std: [1] }, q: null, value: null, importance: null };
  registry.add({ info: model.info, engine: 'jax', symbols: model.symbols, observationSize: model.observationSize, requiredBars: model.requiredBars, predictObservation: async () => prediction, predictMarket: async () => prediction, dispose: () => {} }, 'noop');
} else {
  registry.add(model);
}
const app = await buildServer({ registry, token: null, rateLimitPerMinute: 0 });
process.stdout.write(`${await app.listen({ host: '127.0.0.1', port: 0 })}\n`);
