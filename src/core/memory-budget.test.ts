/** The memory budget: the limit and its override, and the one-line refusal naming the largest part's field. */
import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { GrpoTraderError } from './errors.js';
import { checkMemoryEstimate, DEVICE_MEMORY_BYTES, formatBytes, memoryEstimate, memoryLimit, parseMemorySize } from './memory-budget.js';

describe('memory limit', () => {
  it('reads sizes with decimal and binary units', () => {
    expect(parseMemorySize('8GB')).toBe(8_000_000_000);
    expect(parseMemorySize('512 MB')).toBe(512_000_000);
    expect(parseMemorySize('1.5GiB')).toBe(1.5 * 1024 ** 3);
    expect(parseMemorySize('4096')).toBe(4096);
    expect(parseMemorySize('16kib')).toBe(16 * 1024);
  });

  it('refuses what is not a size, naming the variable', () => {
    for (const text of ['lots', '-1GB', '0', '8 parsecs', '']) {
      expect(() => parseMemorySize(text), text).toThrow(GrpoTraderError);
    }
    try {
      parseMemorySize('lots');
    } catch (error) {
      expect((error as GrpoTraderError).code).toBe('INVALID_CONFIG');
      expect((error as GrpoTraderError).location).toEqual({ field: 'GRPO_TRADER_MEMORY_LIMIT', value: 'lots' });
    }
  });

  it('is half of the machine by default; the variable and the option replace it', () => {
    expect(memoryLimit({ environment: {} }).bytes).toBe(Math.floor(totalmem() / 2));
    expect(memoryLimit({ environment: { GRPO_TRADER_MEMORY_LIMIT: '2GiB' } })).toEqual({ bytes: 2 * 1024 ** 3, source: 'GRPO_TRADER_MEMORY_LIMIT' });
    expect(memoryLimit({ limitBytes: 1000, environment: { GRPO_TRADER_MEMORY_LIMIT: '2GiB' } }).bytes).toBe(1000);
  });

  it('formats bytes with binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(3 * 1024 ** 3)).toBe('3.00 GiB');
  });
});

describe('checkMemoryEstimate', () => {
  const estimate = memoryEstimate([
    { field: 'training.envs', value: 8, what: 'environments', bytes: 3_000 },
    { field: 'algorithm.grpo.groupSize', value: 512, what: 'rollout storage', bytes: 9_000 },
    { field: 'algorithm.hiddenSizes', value: 64, what: 'network parameters', bytes: 1_000, device: true },
  ]);

  it('sums the parts, and those on the device apart', () => {
    expect(estimate.bytes).toBe(13_000);
    expect(estimate.deviceBytes).toBe(1_000);
  });

  it('passes an estimate within the limit', () => {
    expect(() => checkMemoryEstimate(estimate, { what: 'training', limitBytes: 13_000 })).not.toThrow();
  });

  it('refuses one over the limit in one line naming the largest part, its field and value, and the file', () => {
    try {
      checkMemoryEstimate(estimate, { what: 'training', file: 'run.yaml', limitBytes: 10_000 });
      expect.unreachable();
    } catch (error) {
      const e = error as GrpoTraderError;
      expect(e.code).toBe('INVALID_CONFIG');
      expect(e.location).toEqual({ file: 'run.yaml', field: 'algorithm.grpo.groupSize', value: '512' });
      expect(e.message).toBe('training would need about 12.7 KiB, over the limit of 9.77 KiB (the memoryLimit option); the largest part is the rollout storage, 8.79 KiB: lower algorithm.grpo.groupSize');
      expect(e.message.split('\n')).toHaveLength(1);
    }
  });

  it("refuses device parts over WebAssembly's 4 GiB whatever the limit, naming the largest of them", () => {
    const big = memoryEstimate([
      { field: 'training.envs', what: 'environments', bytes: 10 * DEVICE_MEMORY_BYTES },
      { field: 'algorithm.hiddenSizes', what: 'network parameters', bytes: DEVICE_MEMORY_BYTES, device: true },
      { field: 'algorithm.grpo.rolloutSteps', what: 'activations', bytes: 1, device: true },
    ]);
    expect(() => checkMemoryEstimate(big, { what: 'training', limitBytes: 100 * DEVICE_MEMORY_BYTES })).toThrow(/4\.00 GiB\).*network parameters.*lower algorithm\.hiddenSizes$/);
  });
});
