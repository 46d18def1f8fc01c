import type { Command } from 'commander';
import type { CliIo } from '../output.js';
import { registerDataFetch } from './data-fetch.js';
import { registerDataValidate } from './data-validate.js';
import { registerFeatures } from './features.js';
import { registerSimulate } from './simulate.js';
import { registerMetrics } from './metrics.js';
import { registerCompare } from './compare.js';
import { registerRuns } from './runs.js';
import { registerReport } from './report.js';
import { registerTrain } from './train.js';
import { registerBacktest } from './backtest.js';
import { registerDemo } from './demo.js';
import { registerExplain } from './explain.js';
import { registerRegimes } from './regimes.js';
import { registerOnline } from './online.js';
import { registerServe } from './serve.js';
import { registerExport } from './export.js';
import { registerSweep, registerWalkForward, registerWorker } from './sweep.js';
import { registerLearnCheck } from './learn-check.js';

/** A command registers itself on the program. */
export type RegisterCommand = (program: Command, io: CliIo) => void;

/** Every CLI command, in the order `--help` lists them. */
export const commands: RegisterCommand[] = [registerDataValidate, registerDataFetch, registerFeatures, registerSimulate, registerMetrics, registerCompare, registerRuns, registerReport, registerTrain, registerBacktest, registerExplain, registerRegimes, registerOnline, registerServe, registerExport, registerSweep, registerWalkForward, registerWorker, registerLearnCheck, registerDemo];
