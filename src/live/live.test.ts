/**
 * Monitors and alert delivery: each rule against a hand-built bar sequence (raised once when its
 * condition starts, re-armed when it clears), and the webhook against a real local HTTP server that
 * fails before it accepts.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../core/rng.js';
import { driftReference } from '../core/drift-statistics.js';
import { LiveMonitors, parseAlertRules } from './monitors.js';
import { parseLiveSource } from './live-session.js';
import { parseWebhook, WebhookSender } from './webhook.js';

const bar = (k: number, over: Partial<Parameters<LiveMonitors['observe']>[0]> = {}) => ({ date: `2020-01-${String(k + 1).padStart(2, '0')}`, portfolioReturn: 0.001, benchmarkReturn: 0.001, value: 100, weights: [0.5, 0.5], features: null, latencyMs: 1, ...over });

describe('LiveMonitors', () => {
  it('raises a drawdown alert once when the limit is crossed and again only after it cleared', () => {
    const m = new LiveMonitors({ window: 5, maxDrawdown: 0.1 }, null);
    const values = [100, 95, 89, 85, 92, 101, 90, 80];
    const raised = values.map((value, k) => m.observe(bar(k, { value })).filter((a) => a.rule === 'drawdown').length);
    // 89 is 11% below the peak 100 (raised); 85 still below (no repeat); 101 clears; 90 is 10.9% below 101 (raised again).
    expect(raised).toEqual([0, 0, 1, 0, 0, 0, 1, 0]);
  });

  it('compares the rolling Sharpe with the benchmark’s, as a hand calculation', () => {
    const m = new LiveMonitors({ window: 5, sharpeGap: 1 }, null);
    const live = [0.01, -0.02, 0.005, -0.01, 0.0];
    const bench = [0.01, 0.012, 0.008, 0.011, 0.009];
    let alerts: ReturnType<LiveMonitors['observe']> = [];
    live.forEach((r, k) => (alerts = m.observe(bar(k, { portfolioReturn: r, benchmarkReturn: bench[k]! }))));
    const sharpe = (x: number[]) => {
      const mean = x.reduce((a, b) => a + b, 0) / x.length;
      const sd = Math.sqrt(x.reduce((a, v) => a + (v - mean) ** 2, 0) / (x.length - 1));
      return (mean / sd) * Math.sqrt(252);
    };
    expect(m.latest['rolling_sharpe']).toBeCloseTo(sharpe(live), 12);
    expect(m.latest['benchmark_sharpe']).toBeCloseTo(sharpe(bench), 12);
    expect(alerts.map((a) => a.rule)).toContain('performance');
  });

  it('sees feature drift against the training distribution and action drift against the first window', () => {
    const rng = new Rng(3);
    const reference = { x: driftReference(Float64Array.from({ length: 5000 }, () => rng.normal())) };
    const m = new LiveMonitors({ window: 30 }, reference);
    const rules: string[] = [];
    for (let k = 0; k < 90; k++) {
      const shifted = k >= 30;
      const features = { x: [rng.normal() + (shifted ? 2 : 0), rng.normal() + (shifted ? 2 : 0)] };
      const weights = k < 45 ? [0.5 + 0.01 * rng.normal(), 0.5 + 0.01 * rng.normal()] : [0.9 + 0.01 * rng.normal(), 0.1 + 0.01 * rng.normal()];
      for (const a of m.observe(bar(k % 28, { features, weights }))) rules.push(`${k}:${a.rule}`);
    }
    const first = (rule: string) => Number(rules.find((r) => r.endsWith(`:${rule}`))?.split(':')[0]);
    // Unshifted for the first window: no feature alert until the shifted values fill enough of it.
    expect(first('feature_drift')).toBeGreaterThan(30);
    expect(first('action_drift')).toBeGreaterThan(45);
    expect(rules.filter((r) => r.endsWith(':feature_drift'))).toHaveLength(1);
  });

  it('alerts on a stale feed and on slow decisions; rejects bad rules and sources with one line', () => {
    const m = new LiveMonitors({ staleSeconds: 60, latencyMs: 100 }, null);
    expect(m.checkStaleness(30)).toEqual([]);
    expect(m.checkStaleness(61).map((a) => a.severity)).toEqual(['critical']);
    expect(m.checkStaleness(120)).toEqual([]);
    expect(m.observe(bar(0, { latencyMs: 150 })).map((a) => a.rule)).toEqual(['latency']);
    expect(() => parseAlertRules({ maxDrawdown: -1 })).toThrow(/alerts.maxDrawdown must be a positive number/);
    expect(() => parseLiveSource('websocket:AAPL')).toThrow(/give replay:PATHS/);
    expect(parseLiveSource('replay:a,b')).toEqual({ kind: 'replay', paths: ['a', 'b'] });
    expect(parseLiveSource('yahoo:AAPL, MSFT')).toEqual({ kind: 'yahoo', symbols: ['AAPL', 'MSFT'] });
    expect(parseLiveSource('ccxt:binance:BTC/USDT,ETH/USDT')).toEqual({ kind: 'ccxt', exchange: 'binance', symbols: ['BTC/USDT', 'ETH/USDT'] });
  });
});

describe('WebhookSender', () => {
  let server: Server;
  let url: string;
  const received: unknown[] = [];
  let failuresLeft = 0;
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        if (request.url === '/bad') return response.writeHead(400).end();
        if (failuresLeft > 0) {
          failuresLeft--;
          return response.writeHead(503).end();
        }
        received.push(JSON.parse(body));
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('retries 5xx with backoff until the hook accepts; does not retry a 4xx; gives up on a dead address', async () => {
    failuresLeft = 2;
    const sender = new WebhookSender(parseWebhook({ url: `${url}/hook`, retries: 3, backoffMs: 10 }));
    const started = Date.now();
    expect(await sender.deliver({ alert: 1 })).toEqual({ ok: true, attempts: 3 });
    // Backoff 10 ms then 20 ms.
    expect(Date.now() - started).toBeGreaterThanOrEqual(30);
    expect(received).toEqual([{ alert: 1 }]);
    expect(await new WebhookSender(parseWebhook({ url: `${url}/bad`, retries: 3, backoffMs: 10 })).deliver({})).toEqual({ ok: false, attempts: 1 });
    const dead = new WebhookSender(parseWebhook({ url: 'http://127.0.0.1:9/hook', retries: 2, backoffMs: 5, timeoutMs: 500 }));
    expect(await dead.deliver({})).toEqual({ ok: false, attempts: 3 });
    expect(() => parseWebhook({ url: 'ftp://x' })).toThrow(/http/);
  });
});
