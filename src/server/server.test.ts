/**
 * The HTTP service, started for real on 127.0.0.1 and spoken to over HTTP: predictions (equal to the
 * decision a backtest takes from cash at that bar), analysis, models and activation behind a bearer
 * token, the one error shape for generated malformed requests (never a 5xx, no stack or path), rate
 * and body limits, Prometheus metrics, OpenAPI, and the live session with its event stream, controls,
 * alerts and the dashboard in headless Chromium.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPageInChromium, findChromium } from '../backtest/report/chromium.js';
import { loadMarket, sliceByDate } from '../data/index.js';
import { trainTinyModel } from '../../test/tiny-model.js';
import { main } from '../cli/main.js';
import { memoryIo } from '../cli/output.js';
import { startServer, type RunningServer } from './start.js';
import { buildServer } from './app.js';
import { ModelRegistry } from './registry.js';
import type { LiveController, LiveEvent } from '../live/types.js';
import { loadOnnxRuntime } from '../agents/predictor.js';

const hasOnnxRuntime = (await loadOnnxRuntime()) !== null;

let dir: string;
let dataDir: string;
let model: string;
let server: RunningServer;
const TOKEN = 'test-token-0123456789abcdef';
/** Columnar bars of the data files up to `to` (the last `count` bars, or all). */
async function postedBars(to: string, wanted: number | null) {
  const { market } = await loadMarket([dataDir]);
  const window = sliceByDate(market, undefined, to);
  const A = window.symbols.length;
  const T = window.time.length;
  const count = wanted ?? T;
  const bars: Record<string, Record<string, (number | string)[]>> = {};
  window.symbols.forEach((symbol, a) => {
    const rows = Array.from({ length: count }, (_, k) => T - count + k);
    bars[symbol] = {
      time: rows.map((t) => new Date(window.time[t]!).toISOString().slice(0, 10)),
      ...Object.fromEntries((['open', 'high', 'low', 'close', 'volume'] as const).map((f) => [f, rows.map((t) => window[f][t * A + a]!)])),
    };
  });
  return bars;
}

async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'grpo-server-'));
  // The preset (not a list): served models and the live session must read feature names from the model.
  ({ dataDir, model } = await trainTinyModel(dir, {
    bars: 700,
    overrides: { data: { paths: [], features: 'normalized' }, algorithm: { type: 'deepseek_r1', hiddenSizes: [16], initialMean: 'equal', initialStd: 0.2, rewardPenalty: { critic: 'distributional' } } },
  }));
  await writeFile(join(dir, 'token'), `${TOKEN}\n`);
  server = await startServer({ models: [model, model], port: 0, tokenFile: join(dir, 'token'), rateLimitPerMinute: 0 });
}, 120_000);

afterAll(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

describe('grpo-trader serve: predictions and analysis', () => {
  it('predicts for posted bars the decision a backtest takes from cash at that bar', async () => {
    // The whole history up to the date: the features (rolling normalisation, EMAs) then read what the backtest's read.
    const bars = await postedBars('2011-06-15', null);
    const { status, body } = await post('/v1/predict', { bars, explain: true });
    expect(status, JSON.stringify(body)).toBe(200);
    const date = body['date'] as string;
    const weights = body['weights'] as number[];
    // The backtest from that date, starting in cash, decides at its first bar through env.reset (another code path).
    const io = memoryIo();
    expect(await main(['backtest', '--model', model, '--data', dataDir, '--from', date.slice(0, 10), '--to', '2011-07-01', '--json', '--store', join(dir, 'train.sqlite')], io), io.err).toBe(0);
    const runId = (JSON.parse(io.out) as { run_id: number }).run_id;
    const { RunStore } = await import('../store/run-store.js');
    const store = RunStore.open(join(dir, 'train.sqlite'), { mustExist: true });
    const first = store.series(runId)[0]!;
    store.close();
    expect(new Date(first.time[0]!).toISOString().slice(0, 10)).toBe(date.slice(0, 10));
    weights.forEach((w, a) => expect(w).toBeCloseTo(first.weights[a]!, 6));
    // The C51 critic's value distribution with its lower tail.
    const value = body['value'] as { probabilities: number[]; support: number[]; mean: number; var: number; cvar: number };
    expect(value.probabilities.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 6);
    expect(value.cvar).toBeLessThanOrEqual(value.var + 1e-9);
    expect(value.var).toBeLessThanOrEqual(value.support.at(-1)!);
    expect(body['model']).toBe('model');
    expect(typeof body['latency_ms']).toBe('number');
  });

  it('predicts for an observation, and analyses bars with drift against the training split', async () => {
    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { models: { id: string; observation_size: number; required_bars: number; active: boolean }[] };
    expect(models.models.map((m) => m.id)).toEqual(['model', 'model-2']);
    const size = models.models[0]!.observation_size;
    const { status, body } = await post('/v1/predict', { observation: Array.from({ length: size }, () => 0.1) });
    expect(status).toBe(200);
    expect((body['weights'] as number[]).length).toBe(3);
    // Times outside a Date's range, and symbols with no date in common: 4xx naming the field.
    const farFuture = await post('/v1/analysis', { bars: { A: { time: [1e20, 2e20], open: [1, 1], high: [1, 1], low: [1, 1], close: [1, 1], volume: [1, 1] } } });
    expect(farFuture.status).toBe(422);
    expect(farFuture.body['error']).toMatchObject({ field: 'bars.A.time[0]' });
    const apart = await post('/v1/analysis', { bars: { A: { time: ['2020-01-01'], open: [1], high: [1], low: [1], close: [1], volume: [1] }, B: { time: ['2020-01-02'], open: [1], high: [1], low: [1], close: [1], volume: [1] } } });
    expect(apart.status).toBeGreaterThanOrEqual(400);
    expect(apart.status).toBeLessThan(500);
    const tooFew = await post('/v1/predict', { bars: await postedBars('2011-06-15', models.models[0]!.required_bars - 1) });
    expect(tooFew.status).toBe(400);
    expect(tooFew.body['error']).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'bars' });
    const analysis = await post('/v1/analysis', { bars: await postedBars('2012-06-01', 250) });
    expect(analysis.status).toBe(200);
    const drift = analysis.body['drift'] as { psi: Record<string, number>; level: string };
    expect(Object.keys(drift.psi)).toHaveLength(12);
    expect(Object.keys(drift.psi)).toContain('RSI_norm');
    const correlations = analysis.body['correlations'] as number[][];
    expect(correlations[0]![0]).toBeCloseTo(1, 12);
    expect(correlations[0]![1]).toBeCloseTo(correlations[1]![0]!, 12);
  });
});

describe('grpo-trader serve: engines', () => {
  it.skipIf(!hasOnnxRuntime)('serves an MLP policy through onnxruntime by default, with the decisions of jax-js (≤ 1e-5)', async () => {
    const models = (await (await fetch(`${server.url}/v1/models`)).json()) as { models: { engine: string; observation_size: number }[] };
    expect(models.models[0]!.engine).toBe('onnx');
    const jax = await startServer({ models: [model], port: 0, tokenFile: null, rateLimitPerMinute: 0, engine: 'jax' });
    try {
      const observation = Array.from({ length: models.models[0]!.observation_size }, (_, i) => Math.sin(i));
      const viaOnnx = (await post('/v1/predict', { observation })).body;
      const response = await fetch(`${jax.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ observation }) });
      const viaJax = (await response.json()) as Record<string, unknown>;
      const a = viaOnnx['distribution'] as { mean: number[] };
      const b = viaJax['distribution'] as { mean: number[] };
      a.mean.forEach((m, i) => expect(Math.abs(m - b.mean[i]!)).toBeLessThanOrEqual(1e-5));
      expect(viaOnnx['value']).toEqual(viaJax['value']);
    } finally {
      await jax.close();
    }
  });
});

describe('grpo-trader serve: security and errors', () => {
  it('needs the bearer token to change state: 401 without, 403 with a wrong one; unknown and path-like ids are 4xx', async () => {
    expect((await post('/v1/models/model-2/activate', {})).status).toBe(401);
    expect((await post('/v1/models/model-2/activate', {}, { authorization: 'Bearer wrong-token-xxxxxxxxxxxx' })).status).toBe(403);
    const ok = await post('/v1/models/model-2/activate', {}, { authorization: `Bearer ${TOKEN}` });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ active: 'model-2' });
    expect((await post('/v1/models/nope/activate', {}, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    const traversal = await post('/v1/models/..%2F..%2Fetc%2Fpasswd/activate', {}, { authorization: `Bearer ${TOKEN}` });
    expect(traversal.status).toBe(400);
    expect(traversal.body['error']).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'id' });
    await post('/v1/models/model/activate', {}, { authorization: `Bearer ${TOKEN}` });
  });

  it('answers generated malformed requests with a 4xx and the one error shape, never a 5xx, a stack or a path', async () => {
    const anyJson = fc.jsonValue({ maxDepth: 3 });
    const malformed = fc.oneof(
      anyJson,
      fc.record({ observation: fc.array(fc.oneof(fc.double(), fc.string(), fc.constant(null)), { maxLength: 40 }) }, { requiredKeys: [] }),
      fc.record({ observation: fc.constant(Array.from({ length: 300_000 }, () => 0)) }),
      fc.record({ bars: fc.dictionary(fc.string({ maxLength: 40 }), fc.record({ time: fc.array(fc.oneof(fc.string(), fc.double()), { maxLength: 5 }), close: fc.array(fc.double(), { maxLength: 5 }) }, { requiredKeys: [] }), { maxKeys: 3 }) }),
      fc.record({ model: fc.string({ maxLength: 80 }), observation: fc.array(fc.double(), { maxLength: 3 }) }),
      fc.string({ maxLength: 60 }).map((text) => ({ raw: `{${text}` })),
    );
    await fc.assert(
      fc.asyncProperty(malformed, fc.constantFrom('/v1/predict', '/v1/analysis'), async (input, path) => {
        const body = typeof input === 'object' && input !== null && 'raw' in input ? (input as { raw: string }).raw : JSON.stringify(input);
        const response = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        const text = await response.text();
        if (response.status === 200) return; // a generated body can be valid (e.g. an empty-enough analysis is not, but {} never is)
        expect(response.status).toBeGreaterThanOrEqual(400);
        expect(response.status).toBeLessThan(500);
        const parsed = JSON.parse(text) as { error: { code: string; message: string; field: string | null } };
        expect(typeof parsed.error.code).toBe('string');
        expect(typeof parsed.error.message).toBe('string');
        expect(text).not.toMatch(/\n\s+at |node_modules|\/work\/|\/tmp\//);
      }),
      { numRuns: 150, seed: 42 },
    );
  }, 120_000);

  it('limits the rate and the body size with the same error shape', async () => {
    const limited = await startServer({ models: [model], port: 0, tokenFile: null, rateLimitPerMinute: 3, bodyLimit: 1024 });
    try {
      const statuses = [];
      for (let k = 0; k < 4; k++) statuses.push((await fetch(`${limited.url}/v1/models`)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const body = (await (await fetch(`${limited.url}/v1/models`)).json()) as { error: { code: string } };
      expect(body.error.code).toBe('RATE_LIMITED');
      // The probes and the metrics scrape are not limited: the service still looks alive to its monitors.
      for (const path of ['/health', '/ready', '/metrics', '/health', '/metrics']) expect((await fetch(`${limited.url}${path}`)).status, path).toBe(200);
    } finally {
      await limited.close();
    }
    const small = await startServer({ models: [model], port: 0, tokenFile: null, rateLimitPerMinute: 0, bodyLimit: 1024 });
    try {
      const response = await fetch(`${small.url}/v1/predict`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ observation: Array.from({ length: 2000 }, () => 1) }) });
      expect(response.status).toBe(413);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE');
      // No token configured: state-changing routes are refused.
      const refused = await fetch(`${small.url}/v1/models/model/activate`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
      expect(refused.status).toBe(403);
    } finally {
      await small.close();
    }
  });

  it('answers in the one error shape what Fastify and Node refuse before any route runs: a path segment too long (414), a malformed %-escape, headers too large (431), a request that is not HTTP', async () => {
    const shape = (text: string) => {
      const parsed = JSON.parse(text) as { error: Record<string, unknown> };
      expect(Object.keys(parsed)).toEqual(['error']);
      expect(Object.keys(parsed.error)).toEqual(['code', 'message', 'field']);
      return parsed.error;
    };
    const long = await fetch(`${server.url}/v1/models/${'a'.repeat(200)}/activate`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(long.status).toBe(414);
    expect(shape(await long.text())).toEqual({ code: 'INVALID_ARGUMENT', message: 'a path segment is longer than 100 characters', field: 'path' });
    const escape = await fetch(`${server.url}/v1/models/%E0%A4%A/activate`, { method: 'POST' });
    expect(escape.status).toBe(400);
    expect(shape(await escape.text())).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'path' });
    const headers = await fetch(`${server.url}/v1/models?x=${'a'.repeat(20_000)}`);
    expect(headers.status).toBe(431);
    expect(shape(await headers.text())).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'headers' });
    // Not HTTP at all, and a Content-Length that is not a number: Node's parser refuses them.
    const { port } = new URL(server.url);
    for (const request of ['GARBAGE\r\n\r\n', 'POST /v1/predict HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: abc\r\n\r\n{}']) {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => socket.write(request));
        let text = '';
        socket.on('data', (chunk: Buffer) => (text += chunk.toString()));
        socket.on('close', () => resolve(text));
        socket.on('error', reject);
      });
      expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(shape(answer.slice(answer.indexOf('\r\n\r\n') + 4))).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringMatching(/^not a valid HTTP request/) });
    }
    // And those the routes' own parsing produces, for completeness: unknown route, bad JSON, no body, wrong content type.
    expect(shape(await (await fetch(`${server.url}/v2/nothing`)).text())).toMatchObject({ code: 'NOT_FOUND', field: 'path' });
    for (const [body, type, status] of [['{"observation": [1,', 'application/json', 400], ['', 'application/json', 400], ['<a/>', 'text/xml', 415]] as const) {
      const response = await fetch(`${server.url}/v1/predict`, { method: 'POST', headers: { 'content-type': type }, ...(body ? { body } : {}) });
      expect(response.status).toBe(status);
      expect(shape(await response.text())).toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
  });

  it('publishes Prometheus metrics, health, readiness and an OpenAPI document generated from the schemas', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/grpo_trader_predictions_total\{model="model"\} \d+/);
    expect(metrics).toMatch(/grpo_trader_predict_seconds_bucket/);
    expect(metrics).toMatch(/grpo_trader_model_info\{model="model",algorithm="deepseek_r1",update="\d+"\} 1/);
    expect(((await (await fetch(`${server.url}/health`)).json()) as { status: string }).status).toBe('ok');
    expect((await fetch(`${server.url}/ready`)).status).toBe(200);
    const document = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: { properties: Record<string, { maxItems?: number }> } }> } }>> };
    expect(document.openapi).toMatch(/^3\./);
    expect(document.paths['/v1/predict']!['post']!.requestBody!.content['application/json']!.schema.properties['observation']!.maxItems).toBe(200_000);
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/v1/predict', '/v1/analysis', '/v1/models', '/v1/models/{id}/activate', '/v1/online/status', '/v1/alerts', '/v1/stream', '/metrics', '/health', '/ready']));
    expect((await fetch(`${server.url}/docs`)).headers.get('content-type')).toMatch(/text\/html/);
    // No live session on this server: its routes say so.
    const status = await fetch(`${server.url}/v1/online/status`);
    expect(status.status).toBe(404);
  });
});

describe('grpo-trader serve --live: the online agent on a replayed feed', () => {
  it('streams decisions and events, pauses and resumes behind the token, raises alerts, and the dashboard shows the replay in Chromium', async () => {
    const state = join(dir, 'live-state');
    const live = await startServer({ models: [model], port: 0, tokenFile: join(dir, 'token'), rateLimitPerMinute: 0, live: `replay:${dataDir}`, from: '2011-02-01', stateDir: state, paceMs: 2, online: { minSamplesBeforeUpdate: 64, evaluationWindow: 30, evaluationInterval: 30 }, alerts: { window: 20, maxDrawdown: 0.01 } });
    try {
      // The event stream: the status first, then decisions as they are made.
      const controller = new AbortController();
      const response = await fetch(`${live.url}/v1/stream`, { signal: controller.signal });
      expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = response.body!.getReader();
      let text = '';
      while (!/event: decision[\s\S]*event: decision/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      expect(text.startsWith('retry:')).toBe(true);
      const decision = JSON.parse(/event: decision\ndata: (.*)\n/.exec(text)![1]!) as { date: string; weights: number[]; value: number; benchmark: number };
      expect(decision.weights).toHaveLength(3);

      expect((await post2(live, '/v1/online/pause', {})).status).toBe(401);
      const paused = await post2(live, '/v1/online/pause', { authorization: `Bearer ${TOKEN}` });
      expect(paused.body['state']).toBe('paused');
      const bars = paused.body['bars'] as number;
      await new Promise((r) => setTimeout(r, 100));
      expect(((await (await fetch(`${live.url}/v1/online/status`)).json()) as { bars: number }).bars).toBe(bars);
      expect((await post2(live, '/v1/online/resume', { authorization: `Bearer ${TOKEN}` })).body['state']).toBe('running');

      if (findChromium()) {
        const check = await checkPageInChromium(`${live.url}/`);
        expect(check.ok, `${check.renderStatus} ${check.consoleErrors.join(' | ')}`).toBe(true);
        expect(Number(check.bodyAttributes['data-decisions'])).toBeGreaterThan(10);
        expect(check.canvases).toBeGreaterThanOrEqual(2);
      }
      await live.live!.whenDone();
      const status = (await (await fetch(`${live.url}/v1/online/status`)).json()) as { state: string; bars: number; total: number; updates: number };
      expect(status.state).toBe('finished');
      expect(status.bars).toBe(status.total);
      expect(status.updates).toBeGreaterThan(0);
      // A drawdown limit of 1% is crossed on this market: one alert, not one per bar.
      const alerts = ((await (await fetch(`${live.url}/v1/alerts`)).json()) as { alerts: { rule: string }[] }).alerts;
      expect(alerts.filter((a) => a.rule === 'drawdown').length).toBeGreaterThanOrEqual(1);
      expect(alerts.filter((a) => a.rule === 'drawdown').length).toBeLessThan(10);
      const steps = (await readFile(join(state, 'steps.jsonl'), 'utf8')).trim().split('\n');
      expect(steps).toHaveLength(status.bars);
    } finally {
      await live.close();
    }
  }, 180_000);
});

/** A server-sent event as a client parses it: its id (null without one), type and JSON data. */
interface SentEvent {
  id: number | null;
  type: string;
  data: unknown;
}

/** Read server-sent events from `url` (with `headers`) until `enough` says so; then disconnect. */
async function readEvents(url: string, enough: (events: SentEvent[]) => boolean, headers: Record<string, string> = {}): Promise<SentEvent[]> {
  const controller = new AbortController();
  const response = await fetch(url, { signal: controller.signal, headers });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const events: SentEvent[] = [];
  let buffer = '';
  while (!enough(events)) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const fields = new Map(buffer.slice(0, end).split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as const));
      buffer = buffer.slice(end + 2);
      if (fields.has('event')) events.push({ id: fields.has('id') ? Number(fields.get('id')) : null, type: fields.get('event')!, data: JSON.parse(fields.get('data')!) });
    }
  }
  controller.abort();
  return events;
}

describe('grpo-trader serve --live: the event stream resumed after a disconnection', () => {
  it('?after=N and Last-Event-ID deliver every event id after N in order, orders included, then the live ones; no message carries an id that would make the client skip', async () => {
    const live = await startServer({ models: [model], port: 0, tokenFile: null, rateLimitPerMinute: 0, live: `replay:${dataDir}`, from: '2011-02-01', stateDir: join(dir, 'live-replayed'), paceMs: 3, online: { minSamplesBeforeUpdate: 64, evaluationWindow: 30, evaluationInterval: 30 } });
    try {
      const ids = (events: SentEvent[]) => events.filter((e) => e.id !== null).map((e) => e.id!);
      const first = await readEvents(`${live.url}/v1/stream`, (events) => ids(events).length >= 60);
      // The first connection: ids 1, 2, 3… with no hole, and orders among them.
      expect(ids(first)).toEqual(ids(first).map((_, k) => k + 1));
      expect(first.some((e) => e.type === 'order')).toBe(true);
      // Disconnected at id 60 or so; the session goes on. The client resumes after id 20.
      while (live.live!.lastSeq() < ids(first).at(-1)! + 40) await new Promise((r) => setTimeout(r, 20));
      const seen = ids(first).at(-1)!;
      const resumes: { url: string; headers: Record<string, string> }[] = [{ url: `${live.url}/v1/stream?after=20`, headers: {} }, { url: `${live.url}/v1/stream`, headers: { 'last-event-id': '20' } }];
      for (const resume of resumes) {
        const again = await readEvents(resume.url, (events) => ids(events).length >= seen + 40 - 20, resume.headers);
        expect(ids(again)).toEqual(ids(again).map((_, k) => 21 + k));
        // The events of the gap are the ones the first connection received with those ids, unchanged.
        expect(again.filter((e) => e.id !== null && e.id <= seen)).toEqual(first.filter((e) => e.id! > 20));
        expect(again.filter((e) => e.id !== null && e.id <= seen).filter((e) => e.type === 'order').length).toBeGreaterThan(10);
        // The status as it is now comes without an id, after the replayed events.
        const status = again.findIndex((e) => e.type === 'status' && e.id === null);
        expect(status).toBeGreaterThan(0);
        expect(again[status - 1]!.id).toBeGreaterThanOrEqual(seen + 40);
      }
      // An id this session never had (the server restarted since): said so, then the stream from its start.
      const restarted = await readEvents(`${live.url}/v1/stream?after=999999`, (events) => ids(events).length >= 5);
      expect(restarted[0]).toMatchObject({ id: null, type: 'reset', data: { after: 999999 } });
      expect(ids(restarted).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
      const bad = await fetch(`${live.url}/v1/stream?after=-1`);
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { field: string } }).error.field).toBe('after');
    } finally {
      await live.close();
    }
  }, 180_000);
});

describe('the event stream of a session that no longer retains the oldest events', () => {
  it('says which ids are gone (a message without an id), then sends every retained one in order', async () => {
    // A session that kept events 6..9 of 9.
    const retained: LiveEvent[] = [6, 7, 8, 9].map((seq) => ({ type: seq % 2 ? 'decision' : 'order', data: { seq }, seq }));
    const live = { ready: () => true, status: () => ({ state: 'running' }), pause: () => ({}), resume: () => ({}), alerts: () => [], history: (after = 0) => retained.filter((e) => e.seq > after), lastSeq: () => 9, subscribe: () => () => {}, record: () => {}, stop: async () => {} } satisfies LiveController;
    const app = await buildServer({ registry: new ModelRegistry(), token: null, live });
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const events = await readEvents(`${url}/v1/stream?after=2`, (list) => list.some((e) => e.type === 'status'));
      expect(events).toEqual([
        { id: null, type: 'gap', data: { after: 2, first_id: 6, missed: 3, message: 'events 3..5 are no longer retained (the session keeps its newest events only)' } },
        ...retained.map((e) => ({ id: e.seq, type: e.type, data: e.data })),
        { id: null, type: 'status', data: { state: 'running' } },
      ]);
      // Nothing missed: no gap message.
      expect((await readEvents(`${url}/v1/stream?after=7`, (list) => list.some((e) => e.type === 'status'))).map((e) => e.id)).toEqual([8, 9, null]);
    } finally {
      await app.close();
    }
  });
});

async function post2(running: RunningServer, path: string, headers: Record<string, string>) {
  const response = await fetch(`${running.url}${path}`, { method: 'POST', headers });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
