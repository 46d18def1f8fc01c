/**
 * A policy as an ONNX graph (`grpo-trader export --format onnx`; serving through onnxruntime-node):
 * the MLP policy — observation [batch, D] → (MatMul, Add, Tanh) per hidden layer → MatMul, Add →
 * `mean` [batch, A] (Gaussian means, or logits for a discrete policy) — and `log_std` [A] as a
 * constant output. The encoder policies (per-asset, temporal, deepseek) are refused with a coded
 * error: their attention blocks are not exported yet.
 */
import { ErrorCodes, GrpoTraderError } from '../core/index.js';
import { encodeOnnxModel, readArray, type OnnxNode, type OnnxTensor } from '../nn/index.js';
import type { PolicyEncoding, PolicyParams } from './policy.js';

export async function policyOnnxModel(params: PolicyParams, encoding: PolicyEncoding | null, sizes: { observationSize: number; actionSize: number }, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  if (encoding !== null || !params.output) {
    throw new GrpoTraderError(ErrorCodes.unsupported, `ONNX export supports the MLP policy; this model's policy uses the ${encoding?.type ?? 'deepseek'} encoder (serving uses jax-js for it)`, { location: { field: 'algorithm.policy' } });
  }
  const initializers: OnnxTensor[] = [];
  const nodes: OnnxNode[] = [];
  const tensor = async (name: string, array: import('../nn/jax.js').Array): Promise<string> => {
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
  const logStd = await tensor('log_std.value', params.logStd);
  nodes.push({ op: 'Identity', inputs: [logStd], outputs: ['log_std'], name: 'log_std/Identity' });
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
