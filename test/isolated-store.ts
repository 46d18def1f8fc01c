/**
 * Commands record their runs in the default store (`.grpo-trader/runs.sqlite` under the working
 * directory). Tests that do not name a store write to a fresh temporary one per test file instead of
 * the repository's.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

process.env['GRPO_TRADER_STORE'] = join(mkdtempSync(join(tmpdir(), 'grpo-trader-store-')), 'runs.sqlite');
