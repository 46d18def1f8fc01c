/** Alert delivery to a webhook: JSON POST, retried with exponential backoff on network errors and 5xx/429. */
import { invalidField } from '../core/errors.js';

export interface WebhookOptions {
  url: string;
  /** Attempts after the first. */
  retries: number;
  /** Delay before the first retry; doubles each time. */
  backoffMs: number;
  timeoutMs: number;
}

export const WEBHOOK_DEFAULTS = { retries: 4, backoffMs: 500, timeoutMs: 5_000 } as const;

export function parseWebhook(options: Partial<WebhookOptions> & { url: string }): WebhookOptions {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw invalidField('webhook.url', `webhook.url ${JSON.stringify(options.url)} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidField('webhook.url', `webhook.url must be http(s), got ${url.protocol}`);
  const o = { ...WEBHOOK_DEFAULTS, ...options };
  if (!(Number.isInteger(o.retries) && o.retries >= 0)) throw invalidField('webhook.retries', `webhook.retries must be an integer ≥ 0, got ${o.retries}`);
  if (!(o.backoffMs >= 0) || !(o.timeoutMs > 0)) throw invalidField('webhook.backoffMs', 'webhook.backoffMs must be ≥ 0 and timeoutMs > 0');
  return o;
}

/** Deliveries in order, one at a time; `deliver` resolves with the attempts made and whether one succeeded. */
export class WebhookSender {
  private queue: Promise<unknown> = Promise.resolve();
  delivered = 0;
  failed = 0;

  constructor(
    readonly options: WebhookOptions,
    private readonly log: (line: Record<string, unknown>) => void = () => {},
  ) {}

  deliver(body: unknown): Promise<{ ok: boolean; attempts: number }> {
    const result = this.queue.then(() => this.send(body));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Wait for every queued delivery. */
  async flush(): Promise<void> {
    await this.queue;
  }

  private async send(body: unknown): Promise<{ ok: boolean; attempts: number }> {
    const o = this.options;
    let delay = o.backoffMs;
    let attempts = 0;
    for (let attempt = 1; attempt <= o.retries + 1; attempt++) {
      attempts = attempt;
      let status = 0;
      let problem: string;
      try {
        const response = await fetch(o.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal: AbortSignal.timeout(o.timeoutMs) });
        status = response.status;
        await response.arrayBuffer().catch(() => undefined);
        if (response.ok) {
          this.delivered++;
          return { ok: true, attempts: attempt };
        }
        problem = `HTTP ${status}`;
        // A 4xx other than 429 will not get better by retrying.
        if (status >= 400 && status < 500 && status !== 429) break;
      } catch (error) {
        problem = (error as Error).message;
      }
      this.log({ level: 'warn', msg: 'webhook delivery failed', attempt, status, problem });
      if (attempt <= o.retries) {
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
      }
    }
    this.failed++;
    return { ok: false, attempts };
  }
}
