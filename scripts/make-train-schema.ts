/** Regenerate schema/train-config.schema.json from the zod schema: `npx tsx scripts/make-train-schema.ts`. */
import { writeFileSync } from 'node:fs';
import { trainConfigJsonSchema } from '../src/agents/train-config.js';

const schema = { ...trainConfigJsonSchema(), $id: 'https://github.com/grpo-trader/grpo-trader/schema/train-config.schema.json', title: 'grpo-trader train config' };
writeFileSync(new URL('../schema/train-config.schema.json', import.meta.url), `${JSON.stringify(schema, null, 2)}\n`);
