/** Regenerate schema/train-config.schema.json and schema/sweep-config.schema.json from the zod schemas: `npx tsx scripts/make-train-schema.ts`. */
import { writeFileSync } from 'node:fs';
import { trainConfigJsonSchema } from '../src/agents/train-config.js';
import { sweepConfigJsonSchema } from '../src/sweep/sweep-config.js';

const train = { ...trainConfigJsonSchema(), $id: 'https://github.com/grpo-trader/grpo-trader/schema/train-config.schema.json', title: 'grpo-trader train config' };
writeFileSync(new URL('../schema/train-config.schema.json', import.meta.url), `${JSON.stringify(train, null, 2)}\n`);
const sweep = { ...sweepConfigJsonSchema(), $id: 'https://github.com/grpo-trader/grpo-trader/schema/sweep-config.schema.json', title: 'grpo-trader sweep file' };
writeFileSync(new URL('../schema/sweep-config.schema.json', import.meta.url), `${JSON.stringify(sweep, null, 2)}\n`);
