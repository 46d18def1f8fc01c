/**
 * `grpo-trader serve --config FILE`: what the command line does not say — alert rules, the webhook,
 * the online agent's options, the live pace and the rate limit (YAML or JSON).
 *
 *   alerts: { window: 60, featureDriftPsi: 0.25, actionDriftPsi: 0.25, sharpeGap: 1.5, maxDrawdown: 0.2, staleSeconds: 300, latencyMs: 1000 }
 *   webhook: { url: https://example.org/hook, retries: 4, backoffMs: 500, timeoutMs: 5000 }
 *   online: { updateFrequency: 10, batchSize: 64, explore: false, ... }
 *   paceMs: 250
 *   rateLimitPerMinute: 120000
 */
import { z } from 'zod';
import { readConfigFile } from '../core/config-file.js';
import { schemaError } from '../core/config-error.js';
import { ONLINE_SIZE_LIMITS } from '../online/online-agent.js';

const positive = z.number().positive();
/** An online size bounded as the online agent bounds it, with its reason in the error. */
const onlineSize = (minimum: number, limit: { max: number; reason: string }) => z.number().int().min(minimum).max(limit.max, `must be at most ${limit.max}: ${limit.reason}`);

/** The longest delay a Node timer waits (2³¹ − 1 ms, about 24.8 days); a longer one would fire at once. */
export const MAX_DELAY_MS = 2_147_483_647;
const delay = z.number().min(0).max(MAX_DELAY_MS);

export const ServeConfigSchema = z
  .object({
    alerts: z
      .object({ window: z.number().int().min(5), featureDriftPsi: positive, actionDriftPsi: positive, sharpeGap: positive, maxDrawdown: positive, staleSeconds: positive, latencyMs: positive })
      .partial()
      .strict()
      .optional(),
    webhook: z.object({ url: z.string().url(), retries: z.number().int().min(0).max(20).optional(), backoffMs: delay.optional(), timeoutMs: positive.max(MAX_DELAY_MS).optional() }).strict().nullable().optional(),
    online: z
      .object({
        bufferCapacity: onlineSize(1, ONLINE_SIZE_LIMITS.bufferCapacity),
        batchSize: onlineSize(1, ONLINE_SIZE_LIMITS.batchSize),
        updateFrequency: z.number().int().positive(),
        minSamplesBeforeUpdate: z.number().int().positive(),
        evaluationWindow: onlineSize(2, ONLINE_SIZE_LIMITS.evaluationWindow),
        evaluationInterval: z.number().int().positive(),
        promotionMargin: z.number(),
        championChallenger: z.boolean(),
        explore: z.boolean(),
        grpoWindow: z.number().int().positive(),
        regimeSymbol: z.string().nullable(),
      })
      .partial()
      .strict()
      .optional(),
    paceMs: delay.optional(),
    rateLimitPerMinute: z.number().int().min(0).optional(),
  })
  .strict();

export type ServeConfig = z.infer<typeof ServeConfigSchema>;

export async function loadServeConfig(file: string): Promise<ServeConfig> {
  const raw = await readConfigFile(file);
  const parsed = ServeConfigSchema.safeParse(raw);
  if (!parsed.success) throw schemaError(parsed.error.issues, { file, context: 'invalid serve config', input: raw });
  return parsed.data;
}
