/**
 * Writing an ONNX model: the subset of ONNX's protobuf schema (onnx/onnx.proto3) a feed-forward
 * graph needs — ModelProto, GraphProto, NodeProto, TensorProto (float32 raw data), ValueInfoProto
 * with tensor types and (symbolic) dimensions, OperatorSetIdProto. Hand-written: these are a few
 * tagged length-delimited fields, and a general protobuf library plus the vendored .proto would be
 * larger than the encoder. Checked by loading the result in onnxruntime (src/agents/onnx-export.test.ts).
 */

/** ONNX TensorProto.DataType.FLOAT */
export const ONNX_FLOAT = 1;
/** ONNX TensorProto.DataType.INT64 (shapes, axes, slice bounds) */
export const ONNX_INT64 = 7;

export interface OnnxTensor {
  name: string;
  dims: readonly number[];
  /** float32 values, or int64 values (shapes and indices). */
  data: Float32Array | BigInt64Array;
}

export interface OnnxValue {
  name: string;
  /** Dimensions: a number, or a name for a symbolic one (e.g. "batch"). */
  shape: readonly (number | string)[];
}

export interface OnnxNode {
  op: string;
  inputs: readonly string[];
  outputs: readonly string[];
  name: string;
  /** Integer and integer-list attributes (e.g. Transpose's perm, Concat's axis, keepdims). */
  attributes?: Record<string, number | readonly number[]>;
}

export interface OnnxGraph {
  name: string;
  inputs: readonly OnnxValue[];
  outputs: readonly OnnxValue[];
  initializers: readonly OnnxTensor[];
  nodes: readonly OnnxNode[];
  /** Default opset version (13 covers MatMul, Add, Tanh, Identity as used here). */
  opset?: number;
  producer?: string;
  /** Free-form metadata (ModelProto.metadata_props). */
  metadata?: Record<string, string>;
}

const UTF8 = new TextEncoder();

/** A growable byte buffer with the protobuf wire primitives. */
class Writer {
  private bytes = new Uint8Array(256);
  length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  varint(value: number): this {
    this.reserve(10);
    // Negative int64 values are written as their 64-bit two's complement (10 bytes).
    let v = value < 0 ? 2 ** 64 + value : value;
    while (v >= 0x80) {
      this.bytes[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.bytes[this.length++] = v;
    return this;
  }

  raw(data: Uint8Array): this {
    this.reserve(data.length);
    this.bytes.set(data, this.length);
    this.length += data.length;
    return this;
  }

  /** Field with wire type 0 (varint). */
  int(field: number, value: number): this {
    return this.varint(field * 8).varint(value);
  }

  /** Field with wire type 2 (length-delimited bytes). */
  bytesField(field: number, data: Uint8Array): this {
    return this.varint(field * 8 + 2).varint(data.length).raw(data);
  }

  string(field: number, text: string): this {
    return this.bytesField(field, UTF8.encode(text));
  }

  message(field: number, build: (w: Writer) => void): this {
    const inner = new Writer();
    build(inner);
    return this.bytesField(field, inner.finish());
  }

  finish(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

function valueInfo(w: Writer, value: OnnxValue): void {
  w.string(1, value.name);
  // TypeProto.tensor_type (1) → elem_type (1), shape (2) → dim (1) → dim_value (1) | dim_param (2)
  w.message(2, (type) =>
    type.message(1, (tensor) => {
      tensor.int(1, ONNX_FLOAT);
      tensor.message(2, (shape) => {
        for (const dim of value.shape) shape.message(1, (d) => (typeof dim === 'number' ? d.int(1, dim) : d.string(2, dim)));
      });
    }),
  );
}

/** Serialise a graph as an ONNX ModelProto. */
export function encodeOnnxModel(graph: OnnxGraph): Uint8Array {
  const model = new Writer();
  model.int(1, 8); // ir_version 8 (ONNX 1.10+)
  model.string(2, graph.producer ?? 'grpo-trader');
  model.message(7, (g) => {
    for (const node of graph.nodes) {
      g.message(1, (n) => {
        for (const input of node.inputs) n.string(1, input);
        for (const output of node.outputs) n.string(2, output);
        n.string(3, node.name);
        n.string(4, node.op);
        // AttributeProto: name (1), type (20: INT = 2, INTS = 7), i (3), ints (8).
        for (const [name, value] of Object.entries(node.attributes ?? {})) {
          n.message(5, (a) => {
            a.string(1, name);
            if (typeof value === 'number') a.int(20, 2).int(3, value);
            else {
              a.int(20, 7);
              for (const v of value) a.int(8, v);
            }
          });
        }
      });
    }
    g.string(2, graph.name);
    for (const tensor of graph.initializers) {
      g.message(5, (t) => {
        for (const dim of tensor.dims) t.int(1, dim);
        t.int(2, tensor.data instanceof BigInt64Array ? ONNX_INT64 : ONNX_FLOAT);
        t.string(8, tensor.name);
        // raw_data is little-endian, as typed arrays are on every platform Node runs on.
        t.bytesField(9, new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
      });
    }
    for (const input of graph.inputs) g.message(11, (v) => valueInfo(v, input));
    for (const output of graph.outputs) g.message(12, (v) => valueInfo(v, output));
  });
  model.message(8, (o) => o.string(1, '').int(2, graph.opset ?? 13));
  for (const [key, value] of Object.entries(graph.metadata ?? {})) model.message(14, (m) => m.string(1, key).string(2, value));
  return model.finish();
}
