/** Regenerate schema/train-config.schema.json and schema/sweep-config.schema.json from the zod schemas: `npx tsx scripts/make-train-schema.ts`. */
import { writeFileSync } from 'node:fs';
import { trainConfigJsonSchema } from '../src/agents/train-config.js';
import { sweepConfigJsonSchema } from '../src/sweep/sweep-config.js';

for (const [file, title, schema] of [
  ['train-config.schema.json', 'grpo-trader train config', trainConfigJsonSchema()],
  ['sweep-config.schema.json', 'grpo-trader sweep file', sweepConfigJsonSchema()],
] as const) {
  const published = { ...schema, $id: `https://github.com/grpo-trader/grpo-trader/schema/${file}`, title };
  writeFileSync(new URL(`../schema/${file}`, import.meta.url), `${JSON.stringify(published, null, 2)}\n`);
}
