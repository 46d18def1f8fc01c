/**
 * Any jax-js function of arrays as an ONNX graph: trace it (`makeJaxpr`) with example inputs, then
 * translate each primitive of the jaxpr to ONNX operators (opset 18). Used for the policies whose
 * networks are more than an MLP (the DeepSeek-R1 policy: attention, layer norms, transformers).
 * Shapes are those of the example inputs: the graph has a fixed batch size.
 *
 * Primitives: shrink (Slice), reshape, transpose, broadcast (Unsqueeze + Expand), concatenate, dot
 * (MatMul when one operand is a row of the other's broadcast, else Mul + ReduceSum), add, mul, neg,
 * exp, log, sqrt, reciprocal, tanh, min, max, compare, where, reduce (sum, max, min), stop_gradient.
 * Anything else is refused with a coded error naming it.
 */
import { ErrorCodes, GrpoTraderError } from '../core/errors.js';
import { readArray } from './engine.js';
import { makeJaxpr, tree } from './jax.js';
import type { Array as JaxArray, JsTree } from './jax.js';
import { encodeOnnxModel, type OnnxNode, type OnnxTensor } from './onnx.js';

interface Aval {
  shape: number[];
  dtype: string;
}
interface AtomLike {
  aval: Aval;
  value?: number;
  id?: number;
}
interface EqnLike {
  primitive: string;
  inputs: AtomLike[];
  params: Record<string, unknown>;
  outBinders: AtomLike[];
}

const UNARY: Record<string, string> = { neg: 'Neg', exp: 'Exp', log: 'Log', sqrt: 'Sqrt', reciprocal: 'Reciprocal', tanh: 'Tanh', stop_gradient: 'Identity', abs: 'Abs', sin: 'Sin', cos: 'Cos' };
const BINARY: Record<string, string> = { add: 'Add', mul: 'Mul', min: 'Min', max: 'Max', sub: 'Sub', div: 'Div' };
const COMPARE: Record<string, string> = { less: 'Less', greater: 'Greater', equal: 'Equal', less_equal: 'LessOrEqual', greater_equal: 'GreaterOrEqual' };
const REDUCE: Record<string, string> = { Add: 'ReduceSum', Sum: 'ReduceSum', Max: 'ReduceMax', Min: 'ReduceMin', Mul: 'ReduceProd' };

/**
 * Trace `fn(...args)` (the last argument is the graph's input `inputName`; the others are weights,
 * stored as initializers) and return its outputs, named `outputNames`, as an ONNX model.
 */
export async function traceToOnnx(fn: (...args: never[]) => JsTree<JaxArray>, args: JsTree<JaxArray>[], names: { input: string; outputs: string[] }, metadata: Record<string, string> = {}): Promise<Uint8Array> {
  // makeJaxpr reads only the arguments' shapes and takes no reference to them.
  const traced = makeJaxpr(fn as unknown as (...a: JsTree<JaxArray>[]) => JsTree<JaxArray>);
  const { jaxpr: closed } = traced(...args);
  const jaxpr = closed.jaxpr.flatten() as unknown as { inBinders: AtomLike[]; eqns: EqnLike[]; outs: AtomLike[] };
  const consts = closed.consts as unknown as JaxArray[];
  const [leaves] = tree.flatten(args as never) as unknown as [JaxArray[]];
  const values = [...consts, ...leaves];
  if (values.length !== jaxpr.inBinders.length) throw new GrpoTraderError(ErrorCodes.internal, `onnx trace: ${jaxpr.inBinders.length} inputs in the jaxpr for ${values.length} values`);

  const names2 = new Map<AtomLike, string>();
  const initializers: OnnxTensor[] = [];
  const nodes: OnnxNode[] = [];
  let counter = 0;
  const fresh = (stem: string) => `${stem}_${counter++}`;
  const constant = (data: Float32Array | BigInt64Array, dims: number[], stem = 'c'): string => {
    const name = fresh(stem);
    initializers.push({ name, dims, data });
    return name;
  };
  const ints = (values: readonly number[]) => constant(BigInt64Array.from(values.map((v) => BigInt(v))), [values.length], 'i');
  const node = (op: string, inputs: string[], attributes?: Record<string, number | readonly number[]>): string => {
    const output = fresh(op.toLowerCase());
    nodes.push({ op, inputs, outputs: [output], name: fresh(`${op}/`), ...(attributes ? { attributes } : {}) });
    return output;
  };
  const nameOf = (atom: AtomLike): string => {
    const known = names2.get(atom);
    if (known) return known;
    if (atom.value !== undefined) return constant(Float32Array.of(atom.value), [], 'lit');
    throw new GrpoTraderError(ErrorCodes.internal, 'onnx trace: a variable is used before it is defined');
  };

  const inputIndex = jaxpr.inBinders.length - 1;
  for (let i = 0; i < inputIndex; i++) {
    const binder = jaxpr.inBinders[i]!;
    names2.set(binder, constant(await readArray(values[i]!.ref), binder.aval.shape, 'w'));
  }
  names2.set(jaxpr.inBinders[inputIndex]!, names.input);

  for (const eqn of jaxpr.eqns) {
    const out = eqn.outBinders[0]!;
    const inputs = eqn.inputs;
    const p = eqn.params;
    let result: string;
    if (eqn.primitive in UNARY) result = node(UNARY[eqn.primitive]!, [nameOf(inputs[0]!)]);
    else if (eqn.primitive in BINARY) result = node(BINARY[eqn.primitive]!, [nameOf(inputs[0]!), nameOf(inputs[1]!)]);
    else if (eqn.primitive === 'compare') {
      const op = COMPARE[String(p['op'])];
      if (!op) throw unsupported(`compare ${String(p['op'])}`);
      result = node(op, [nameOf(inputs[0]!), nameOf(inputs[1]!)]);
    } else if (eqn.primitive === 'where') result = node('Where', inputs.map(nameOf));
    else if (eqn.primitive === 'reshape') result = node('Reshape', [nameOf(inputs[0]!), ints(p['shape'] as number[])]);
    else if (eqn.primitive === 'transpose') result = node('Transpose', [nameOf(inputs[0]!)], { perm: p['perm'] as number[] });
    else if (eqn.primitive === 'shrink') {
      const slice = p['slice'] as [number, number][];
      result = node('Slice', [nameOf(inputs[0]!), ints(slice.map((s) => s[0])), ints(slice.map((s) => s[1])), ints(slice.map((_, i) => i))]);
    } else if (eqn.primitive === 'concatenate') result = node('Concat', inputs.map(nameOf), { axis: p['axis'] as number });
    else if (eqn.primitive === 'broadcast') {
      const axes = (p['axis'] as number[]) ?? [];
      const source = axes.length > 0 ? node('Unsqueeze', [nameOf(inputs[0]!), ints(axes)]) : nameOf(inputs[0]!);
      result = node('Expand', [source, ints(p['shape'] as number[])]);
    } else if (eqn.primitive === 'reduce') {
      const op = REDUCE[String(p['op'])];
      if (!op) throw unsupported(`reduce ${String(p['op'])}`);
      result = node(op, [nameOf(inputs[0]!), ints(p['axis'] as number[])], { keepdims: 0 });
    } else if (eqn.primitive === 'dot') result = dot(inputs[0]!, inputs[1]!, out, nameOf, node, ints);
    else throw unsupported(eqn.primitive);
    names2.set(out, result);
  }
  const outputs = jaxpr.outs.map((atom, i) => {
    const name = names.outputs[i] ?? `output${i}`;
    nodes.push({ op: 'Identity', inputs: [nameOf(atom)], outputs: [name], name: fresh('Identity/') });
    return { name, shape: atom.aval.shape };
  });
  closed.dispose();
  return encodeOnnxModel({ name: 'grpo-trader-traced', inputs: [{ name: names.input, shape: jaxpr.inBinders[inputIndex]!.aval.shape }], outputs, initializers, nodes, opset: 18, metadata });
}

function unsupported(what: string): GrpoTraderError {
  return new GrpoTraderError(ErrorCodes.unsupported, `ONNX export: the network uses the primitive ${what}, which the exporter does not translate yet`, { location: { field: 'algorithm.policy' } });
}

/**
 * jax-js `dot`: broadcast both operands, multiply, sum over the last axis. When x is [..., M, 1, K]
 * and y is [..., 1, N, K] (a matrix product in disguise) it becomes MatMul(x[..., M, K], y[..., N, K]ᵀ).
 */
function dot(x: AtomLike, y: AtomLike, out: AtomLike, nameOf: (a: AtomLike) => string, node: (op: string, inputs: string[], attributes?: Record<string, number | readonly number[]>) => string, ints: (v: readonly number[]) => string): string {
  const xs = x.aval.shape;
  const ys = y.aval.shape;
  const r = xs.length;
  if (r === ys.length && r >= 3 && xs[r - 2] === 1 && ys[r - 3] === 1) {
    const left = node('Squeeze', [nameOf(x), ints([r - 2])]);
    const right = node('Squeeze', [nameOf(y), ints([r - 3])]);
    // right [..., N, K] → [..., K, N]
    const perm = Array.from({ length: r - 1 }, (_, i) => i);
    [perm[r - 3], perm[r - 2]] = [perm[r - 2]!, perm[r - 3]!];
    const product = node('MatMul', [left, node('Transpose', [right], { perm })]);
    return out.aval.shape.length === r - 1 ? product : node('Reshape', [product, ints(out.aval.shape)]);
  }
  return node('ReduceSum', [node('Mul', [nameOf(x), nameOf(y)]), ints([-1])], { keepdims: 0 });
}
