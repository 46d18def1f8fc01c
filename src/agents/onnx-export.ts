/**
 * A policy as an ONNX graph (`grpo-trader export --format onnx`; serving through onnxruntime-node):
 * the MLP policy — observation [batch, D] → (MatMul, Add, Tanh) per hidden layer → MatMul, Add →
 * `mean` [batch, A] (Gaussian means, or logits for a discrete policy) — and `log_std` [A] as a
 * constant output, with a dynamic batch. The encoder policies (per-asset, temporal, DeepSeek-R1) are
 * traced through jax-js and translated primitive by primitive (nn/onnx-trace.ts), at batch size 1.
 */
import { ErrorCodes, GrpoTraderError } from '../core/index.js';
import { encodeOnnxModel, readArray, type OnnxNode, type OnnxTensor } from '../nn/index.js';
import { traceToOnnx } from '../nn/onnx-trace.js';
import { numpy as np } from '../nn/jax.js';
import type { Array as JaxArray } from '../nn/jax.js';
import { LOG_STD_MAX, LOG_STD_MIN, policyForward, type PolicyEncoding, type PolicyParams } from './policy.js';

export async function policyOnnxModel(params: PolicyParams, encoding: PolicyEncoding | null, sizes: { observationSize: number; actionSize: number }, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  if (encoding !== null) {
    if (encoding.type === 'deepseek' && encoding.autoregressive) {
      throw new GrpoTraderError(ErrorCodes.unsupported, 'ONNX export: autoregressive policies act by a chain of conditional means, which is not exported yet', { location: { field: 'algorithm.deepseek.autoregressive' } });
    }
    // Encoder policies (per-asset, temporal, DeepSeek-R1): traced through jax-js at batch size 1.
    const forward = policyForward(encoding);
    const example = np.zeros([1, sizes.observationSize]);
    try {
      return await traceToOnnx(forward as never, [params as never, example], { input: 'observation', outputs: ['mean', 'log_std'] }, { ...metadata, batch: '1' });
    } finally {
      example.dispose();
    }
  }
  if (!params.output) throw new GrpoTraderError(ErrorCodes.internal, 'ONNX export: an MLP policy without an output layer');
  const initializers: OnnxTensor[] = [];
  const nodes: OnnxNode[] = [];
  const tensor = async (name: string, array: JaxArray): Promise<string> => {
    initializers.push({ name, dims: array.shape.slice(), data: await readArray(array.ref) });
    return name;
  };
  let x = 'observation';
  const layers = [...params.layers.map((layer, i) => ({ layer, name: `hidden${i}`, activation: true })), { layer: params.output, name: 'output', activation: false }];
  for (const { layer, name, activation } of layers) {
    const weight = await tensor(`${name}.weight`, layer.weight);
    const bias = await tensor(`${name}.bias`, layer.bias);
    nodes.push({ op: 'MatMul', inputs: [x, weight], outputs: [`${name}.matmul`], name: `${name}/MatMul` });
    const out = activation ? `${name}.linear` : 'mean';
    nodes.push({ op: 'Add', inputs: [`${name}.matmul`, bias], outputs: [out], name: `${name}/Add` });
    if (activation) {
      nodes.push({ op: 'Tanh', inputs: [out], outputs: [`${name}.tanh`], name: `${name}/Tanh` });
      x = `${name}.tanh`;
    }
  }
  // Clipped as the jax-js policy clips it.
  const logStd = await tensor('log_std.value', params.logStd);
  initializers.push({ name: 'log_std.min', dims: [], data: Float32Array.of(LOG_STD_MIN) }, { name: 'log_std.max', dims: [], data: Float32Array.of(LOG_STD_MAX) });
  nodes.push({ op: 'Clip', inputs: [logStd, 'log_std.min', 'log_std.max'], outputs: ['log_std'], name: 'log_std/Clip' });
  return encodeOnnxModel({
    name: 'grpo-trader-policy',
    inputs: [{ name: 'observation', shape: ['batch', sizes.observationSize] }],
    outputs: [
      { name: 'mean', shape: ['batch', sizes.actionSize] },
      { name: 'log_std', shape: [sizes.actionSize] },
    ],
    initializers,
    nodes,
    metadata,
  });
}
