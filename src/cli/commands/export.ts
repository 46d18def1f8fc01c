/**
 * `grpo-trader export --model DIR [--checkpoint C] --format onnx [--out FILE] [--json]`: the policy as
 * an ONNX graph (MLP policies), for onnxruntime in any language. Inputs `observation` [batch, D]
 * (the environment's layout); outputs `mean` [batch, A] and `log_std` [A].
 */
import { resolve, join } from 'node:path';
import type { Command } from 'commander';
import { checkOutputFile, ErrorCodes, GrpoTraderError, writeFileAtomic } from '../../core/index.js';
import type { CliIo } from '../output.js';
import { toJson } from './backtest-common.js';
import { modelInputs, overwriteOption } from './output-options.js';

interface ExportFlags {
  model: string;
  checkpoint?: string;
  format: string;
  out?: string;
  overwrite?: boolean;
  json?: boolean;
}

export function registerExport(program: Command, io: CliIo): void {
  overwriteOption(program.command('export'), 'the --out file')
    .description('Write a trained policy as an ONNX graph (MLP policies) for onnxruntime')
    .requiredOption('--model <dir>', 'model directory written by grpo-trader train --out')
    .option('--checkpoint <which>', 'best (default when present), latest, an update number or a checkpoint directory')
    .option('--format <format>', 'onnx (the only format)', 'onnx')
    .option('--out <file>', 'output file (default DIR/policy.onnx)')
    .option('--json', 'print what was written as JSON')
    .action(async (flags: ExportFlags) => {
      if (flags.format !== 'onnx') throw new GrpoTraderError(ErrorCodes.invalidArgument, `--format ${flags.format}: only onnx is supported`, { location: { field: 'format', value: flags.format } });
      const { ModelPredictor } = await import('../../agents/index.js');
      const predictor = await ModelPredictor.load(flags.model, flags.checkpoint, { engine: 'jax' });
      try {
        const out = resolve(flags.out ?? join(flags.model, 'policy.onnx'));
        await checkOutputFile(out, { option: '--out', inputs: modelInputs('--model', predictor.info), overwrite: flags.overwrite === true });
        const bytes = await predictor.exportOnnx();
        // MLP graphs take any batch; traced encoder graphs (DeepSeek-R1, per-asset, temporal) one observation.
        const batch = predictor.batchedOnnx ? 'batch' : 1;
        await writeFileAtomic(out, bytes);
        const summary = { file: out, bytes: bytes.length, inputs: { observation: [batch, predictor.observationSize] }, outputs: { mean: [batch, predictor.symbols.length], log_std: [predictor.symbols.length] }, symbols: predictor.symbols, checkpoint: predictor.info.checkpointLabel, update: predictor.info.update };
        if (flags.json) io.stdout(`${toJson(summary)}\n`);
        else io.stdout(`${out}: ONNX policy (${bytes.length} bytes), input observation [${batch}, ${predictor.observationSize}], outputs mean [${batch}, ${predictor.symbols.length}] and log_std [${predictor.symbols.length}] for ${predictor.symbols.join(',')}\n`);
      } finally {
        predictor.dispose();
      }
    });
}
