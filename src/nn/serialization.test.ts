/** Save/load: safetensors round trip and every refusal (version, kind, shape, corruption). */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGrpoTraderError } from '../core/index.js';
import { initEngine, readArraySync } from './engine.js';
import { tree } from './jax.js';
import { decodeSafetensors, encodeSafetensors, loadParams, namedLeaves, saveParams } from './serialization.js';
import { TemporalEncoder } from './temporal-encoder.js';

let directory = '';
beforeAll(async () => {
  await initEngine({ threads: 1 });
  directory = await mkdtemp(join(tmpdir(), 'grpo-nn-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

const encoder = new TemporalEncoder({ featureDim: 3, hiddenDim: 8, numHeads: 2, numLayers: 1, feedForward: 12 });

async function expectRefusal(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<void> {
  try {
    await promise;
    expect.unreachable('load should have failed');
  } catch (error) {
    expect(isGrpoTraderError(error)).toBe(true);
    expect((error as { code: string }).code).toBe(code);
    expect((error as Error).message).toMatch(pattern);
  }
}

describe('safetensors format', () => {
  it('writes the header length, a JSON header with offsets and little-endian float32 data', () => {
    const bytes = encodeSafetensors([['a', Float32Array.from([1, -2]), [2]], ['b', Float32Array.from([0.5]), [1, 1]]]);
    const view = new DataView(bytes.buffer);
    const headerLength = Number(view.getBigUint64(0, true));
    const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + headerLength)).toString('utf8')) as Record<string, { data_offsets: number[]; dtype: string; shape: number[] }>;
    expect(header['a']).toEqual({ dtype: 'F32', shape: [2], data_offsets: [0, 8] });
    expect(header['b']).toEqual({ dtype: 'F32', shape: [1, 1], data_offsets: [8, 12] });
    expect((8 + headerLength) % 8).toBe(0);
    expect(view.getFloat32(8 + headerLength + 4, true)).toBe(-2);
    expect(decodeSafetensors(bytes).get('b')).toEqual({ shape: [1, 1], data: Float32Array.from([0.5]) });
  });
});

describe('saveParams / loadParams', () => {
  it('round-trips every tensor bit for bit', async () => {
    const params = encoder.init(3);
    const path = join(directory, 'round-trip');
    const checkpoint = await saveParams(path, params, 'TemporalEncoder', encoder.config);
    expect(checkpoint.sha256).toMatch(/^[0-9a-f]{64}$/);
    const { params: loaded, config } = await loadParams(path, encoder.init(99), 'TemporalEncoder');
    expect(config).toEqual(JSON.parse(JSON.stringify(encoder.config)));
    const original = namedLeaves(params);
    const restored = namedLeaves(loaded);
    expect(restored.map(([name]) => name)).toEqual(original.map(([name]) => name));
    original.forEach(([, leaf], i) => expect(readArraySync(restored[i]![1].ref)).toEqual(readArraySync(leaf.ref)));
    tree.dispose(params);
    tree.dispose(loaded);
  });

  it('refuses a checkpoint whose tensor shapes differ from the model', async () => {
    const path = join(directory, 'shape');
    const params = encoder.init(1);
    await saveParams(path, params, 'TemporalEncoder', encoder.config);
    tree.dispose(params);
    const wider = new TemporalEncoder({ featureDim: 4, hiddenDim: 8, numHeads: 2, numLayers: 1, feedForward: 12 });
    await expectRefusal(loadParams(path, wider.init(1), 'TemporalEncoder'), 'INVALID_CONFIG', /featureEmbedding\.weight has shape \[3, 8\], the model expects \[4, 8\]/);
  });

  it('refuses another format version and another model kind', async () => {
    const path = join(directory, 'version');
    const params = encoder.init(1);
    await saveParams(path, params, 'TemporalEncoder', encoder.config);
    tree.dispose(params);
    await expectRefusal(loadParams(path, encoder.init(1), 'ActorCritic'), 'INVALID_CONFIG', /holds a TemporalEncoder, expected a ActorCritic/);
    const config = JSON.parse(await readFile(`${path}.json`, 'utf8')) as { formatVersion: number };
    config.formatVersion = 99;
    await writeFile(`${path}.json`, JSON.stringify(config));
    await expectRefusal(loadParams(path, encoder.init(1), 'TemporalEncoder'), 'UNSUPPORTED', /format version 99 is not supported/);
  });

  it('detects a corrupted weights file through its SHA-256', async () => {
    const path = join(directory, 'corrupt');
    const params = encoder.init(1);
    await saveParams(path, params, 'TemporalEncoder', encoder.config);
    tree.dispose(params);
    const bytes = await readFile(`${path}.safetensors`);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    await writeFile(`${path}.safetensors`, bytes);
    await expectRefusal(loadParams(path, encoder.init(1), 'TemporalEncoder'), 'CORRUPTED', /corrupted/);
  });
});

