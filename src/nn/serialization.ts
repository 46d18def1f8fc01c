/**
 * Save/load of parameter trees: weights in safetensors (8-byte little-endian header length, JSON
 * header {name: {dtype, shape, data_offsets}}, raw little-endian data), beside a JSON config that
 * records a format version, the model's kind and configuration, every tensor's shape and the
 * SHA-256 of the weights file. Loading refuses a version, kind or shape mismatch and a checksum
 * mismatch with a GrpoTraderError naming the file and field.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ErrorCodes, GrpoTraderError, writeFileAtomic } from '../core/index.js';
import { numpy as np, tree } from './jax.js';
import type { Array, JsTree } from './jax.js';
import { readArray } from './engine.js';

export const CHECKPOINT_FORMAT_VERSION = 1;

export interface CheckpointConfig {
  formatVersion: number;
  kind: string;
  config: unknown;
  weightsFile: string;
  sha256: string;
  tensors: Record<string, number[]>;
}

/** Dotted names for every leaf of a parameter tree, in tree order ("layers.0.linear1.weight"). */
export function namedLeaves(params: JsTree<Array>, prefix = ''): [string, Array][] {
  if (params === null || params === undefined) return [];
  if (typeof params === 'object' && 'shape' in (params as object) && 'dtype' in (params as object)) return [[prefix, params as Array]];
  const entries: [string, Array][] = [];
  if (globalThis.Array.isArray(params)) {
    params.forEach((child, index) => entries.push(...namedLeaves(child as JsTree<Array>, prefix ? `${prefix}.${index}` : String(index))));
  } else {
    for (const [key, child] of Object.entries(params as Record<string, JsTree<Array>>)) {
      entries.push(...namedLeaves(child, prefix ? `${prefix}.${key}` : key));
    }
  }
  return entries;
}

/** Encode named float32 tensors as a safetensors file. */
export function encodeSafetensors(tensors: [string, Float32Array, number[]][]): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, data, shape] of tensors) {
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + data.byteLength] };
    offset += data.byteLength;
  }
  let headerText = JSON.stringify(header);
  // Pad the header with spaces so the data starts 8-byte aligned, as the reference writer does.
  headerText += ' '.repeat((8 - ((8 + Buffer.byteLength(headerText)) % 8)) % 8);
  const headerBytes = Buffer.from(headerText, 'utf8');
  const out = new Uint8Array(8 + headerBytes.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const [, data] of tensors) {
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
    out.set(bytes, position);
    position += bytes.length;
  }
  return out;
}

/** Decode a safetensors file of F32 tensors into name → {shape, data}. */
export function decodeSafetensors(bytes: Uint8Array, file = '<memory>'): Map<string, { shape: number[]; data: Float32Array }> {
  const fail = (message: string, field?: string): never => {
    throw new GrpoTraderError(ErrorCodes.corrupted, `${file}: ${message}`, { location: { file, ...(field ? { field } : {}) } });
  };
  if (bytes.length < 8) fail('too short for a safetensors header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.length) fail(`header length ${headerLength} exceeds the file size ${bytes.length}`);
  let header: Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  try {
    header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString('utf8')) as typeof header;
  } catch {
    return fail('header is not valid JSON');
  }
  const dataStart = 8 + headerLength;
  const result = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    if (entry.dtype !== 'F32') fail(`tensor dtype ${entry.dtype} is not supported (F32 only)`, name);
    const [begin, end] = entry.data_offsets;
    const size = entry.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== size * 4 || dataStart + end > bytes.length) fail(`tensor data offsets [${begin}, ${end}] do not match shape [${entry.shape.join(', ')}]`, name);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = view.getFloat32(dataStart + begin + i * 4, true);
    result.set(name, { shape: entry.shape, data });
  }
  return result;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Write `<path>.safetensors` and `<path>.json` for a parameter tree (not consumed). `kind` and
 * `config` identify the model so loading can refuse a mismatch.
 */
export async function saveParams(path: string, params: JsTree<Array>, kind: string, config: unknown): Promise<CheckpointConfig> {
  const named = namedLeaves(params);
  const tensors: [string, Float32Array, number[]][] = [];
  for (const [name, leaf] of named) tensors.push([name, await readArray(leaf.ref), leaf.shape.slice()]);
  const weights = encodeSafetensors(tensors);
  const weightsFile = `${path}.safetensors`;
  const checkpoint: CheckpointConfig = {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    kind,
    config,
    weightsFile: basename(weightsFile),
    sha256: sha256(weights),
    tensors: Object.fromEntries(tensors.map(([name, , shape]) => [name, shape])),
  };
  await writeFileAtomic(weightsFile, weights);
  await writeFileAtomic(`${path}.json`, `${JSON.stringify(checkpoint, null, 2)}\n`);
  return checkpoint;
}

/** Read and verify `<path>.json` and its weights. */
export async function readCheckpoint(path: string): Promise<{ checkpoint: CheckpointConfig; tensors: Map<string, { shape: number[]; data: Float32Array }> }> {
  const configFile = `${path}.json`;
  let checkpoint: CheckpointConfig;
  try {
    checkpoint = JSON.parse(await readFile(configFile, 'utf8')) as CheckpointConfig;
  } catch (error) {
    throw new GrpoTraderError(ErrorCodes.io, `${configFile}: cannot read checkpoint config (${(error as Error).message})`, { location: { file: configFile }, cause: error });
  }
  if (checkpoint.formatVersion !== CHECKPOINT_FORMAT_VERSION) {
    throw new GrpoTraderError(
      ErrorCodes.unsupported,
      `${configFile}: checkpoint format version ${String(checkpoint.formatVersion)} is not supported (expected ${CHECKPOINT_FORMAT_VERSION})`,
      { location: { file: configFile, field: 'formatVersion', value: String(checkpoint.formatVersion) } },
    );
  }
  const weightsFile = join(dirname(path), basename(String(checkpoint.weightsFile)));
  const bytes = new Uint8Array(await readFile(weightsFile));
  const digest = sha256(bytes);
  if (digest !== checkpoint.sha256) {
    throw new GrpoTraderError(ErrorCodes.corrupted, `${weightsFile}: SHA-256 ${digest} does not match ${checkpoint.sha256} in ${configFile}; the weights file is corrupted`, {
      location: { file: weightsFile, field: 'sha256', value: digest },
    });
  }
  return { checkpoint, tensors: decodeSafetensors(bytes, weightsFile) };
}

/**
 * Load weights into the structure of `template` (a freshly initialised tree of the expected model,
 * consumed): every tensor must exist with the template's shape. `kind` must match the saved kind.
 */
export async function loadParams<P extends JsTree<Array>>(path: string, template: P, kind: string): Promise<{ params: P; config: unknown }> {
  const { checkpoint, tensors } = await readCheckpoint(path);
  const configFile = `${path}.json`;
  if (checkpoint.kind !== kind) {
    tree.dispose(template);
    throw new GrpoTraderError(ErrorCodes.invalidConfig, `${configFile}: checkpoint holds a ${checkpoint.kind}, expected a ${kind}`, {
      location: { file: configFile, field: 'kind', value: checkpoint.kind },
    });
  }
  const named = namedLeaves(template);
  const [, definition] = tree.flatten(template);
  const leaves: Array[] = [];
  for (const [name, leaf] of named) {
    const stored = tensors.get(name);
    const expected = leaf.shape.join(', ');
    leaf.dispose();
    if (!stored || stored.shape.join(', ') !== expected) {
      leaves.forEach((created) => created.dispose());
      for (const [, rest] of named.slice(leaves.length + 1)) rest.dispose();
      throw new GrpoTraderError(
        ErrorCodes.invalidConfig,
        stored
          ? `${configFile}: tensor ${name} has shape [${stored.shape.join(', ')}], the model expects [${expected}]`
          : `${configFile}: tensor ${name} is missing from the checkpoint`,
        { location: { file: configFile, field: name, value: stored ? `[${stored.shape.join(', ')}]` : 'missing' } },
      );
    }
    leaves.push(np.array(stored.data, { shape: stored.shape }));
  }
  return { params: tree.unflatten(definition, leaves) as P, config: checkpoint.config };
}

/**
 * Build a tree shaped like `template` (consumed) from named float32 data, e.g. weights exported by
 * another framework under our names. Throws on a missing name or a shape mismatch.
 */
export function paramsFromNamed<P extends JsTree<Array>>(template: P, named: Record<string, { shape: number[]; data: ArrayLike<number> }>): P {
  const leaves = namedLeaves(template);
  const [, definition] = tree.flatten(template);
  const built: Array[] = [];
  for (const [name, leaf] of leaves) {
    const source = named[name];
    const expected = leaf.shape.join(', ');
    leaf.dispose();
    if (!source || source.shape.join(', ') !== expected) {
      built.forEach((b) => b.dispose());
      throw new GrpoTraderError(ErrorCodes.corrupted, source ? `tensor ${name} has shape [${source.shape.join(', ')}], expected [${expected}]` : `tensor ${name} is missing`, { location: { field: name } });
    }
    built.push(np.array(Float32Array.from(source.data), { shape: source.shape }));
  }
  return tree.unflatten(definition, built) as P;
}
