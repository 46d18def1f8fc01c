/**
 * The HTTP service (`grpo-trader serve`): a thin Fastify adapter over the library — predictions
 * (`ModelPredictor`), market analysis (`analyzeMarket`), the model registry, the live session's
 * status and controls, alerts, a server-sent-events stream, health, readiness, Prometheus metrics,
 * the OpenAPI document and the dashboard.
 *
 * Every error leaves as `{ error: { code, message, field } }` with the project's codes: bad input
 * is a 4xx (never a 5xx), an internal failure a 500 with a generic message — no stack trace or
 * internal path in any response. Routes that change state need `Authorization: Bearer <token>`
 * (compared in constant time): 401 without one, 403 with a wrong one or when the server has no token.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import rateLimit from '@fastify/rate-limit';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { ErrorCodes, GrpoTraderError, httpStatusByCode } from '../core/errors.js';
import { marketFromBarsInput } from '../data/bars-input.js';
import { analyzeMarket, lastRegime } from '../live/analysis.js';
import { dashboardHtml } from './dashboard.js';
import { createServerMetrics } from './metrics.js';
import { openApiDocument, docsHtml, ROUTES } from './openapi.js';
import type { ModelRegistry } from './registry.js';
import { AnalysisRequestSchema, ModelIdSchema, PredictRequestSchema } from './schemas.js';
import type { LiveController, LiveEvent } from '../live/types.js';

export const SERVER_VERSION = '0.1.0';

export interface ServerOptions {
  registry: ModelRegistry;
  /** Bearer token for the routes that change state (null: those routes answer 403). */
  token: string | null;
  /** Requests per minute per client address (0: no limit). */
  rateLimitPerMinute?: number;
  /** Largest request body in bytes. */
  bodyLimit?: number;
  /** A live session (online agent on a feed), when the server runs one. */
  live?: LiveController | null;
  /** JSON-lines request log (default off). */
  logger?: boolean;
}

export const SERVER_DEFAULTS = { rateLimitPerMinute: 120_000, bodyLimit: 8 * 1024 * 1024 } as const;

/** Longest path parameter (a model id is at most 60 characters); longer is a 414. */
const MAX_PARAM_LENGTH = 100;

/** A request Fastify's router refused before any route ran (a path parameter too long, a malformed %-escape). */
function routingError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') void reply.code(414).send(errorBody(ErrorCodes.invalidArgument, `a path segment is longer than ${MAX_PARAM_LENGTH} characters`, 'path'));
  else if (error.code === 'FST_ERR_BAD_URL') void reply.code(400).send(errorBody(ErrorCodes.invalidArgument, 'the URL path is not valid (a malformed %-escape)', 'path'));
  else void reply.code(400).send(errorBody(ErrorCodes.invalidArgument, 'the request cannot be routed', 'path'));
}

/**
 * A request Node's HTTP parser refused before Fastify saw it (malformed request line, headers larger
 * than Node's limit, a request that never finished): answered in the one error shape, then closed.
 */
function clientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, message, field] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'the request line and headers are larger than this server accepts (16 KiB): send long inputs in a POST body', 'headers']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'the request was not received in time', null]
        : [400, `not a valid HTTP request (${error.code ?? 'parse error'})`, null];
  const body = JSON.stringify(errorBody(ErrorCodes.invalidArgument, message, field));
  if (socket.writable) socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  socket.destroy();
}

/** The one error body. */
export function errorBody(code: string, message: string, field: string | null = null) {
  return { error: { code, message, field } };
}

function fieldOf(path: readonly PropertyKey[]): string | null {
  if (path.length === 0) return null;
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${String(key)}` : String(key)), '');
}

/** Parse with a zod schema; the first issue becomes one INVALID_ARGUMENT naming its field. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, prefix: string | null = null): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = fieldOf(prefix === null ? issue.path : [prefix, ...issue.path]);
  throw new GrpoTraderError(ErrorCodes.invalidArgument, `${field ?? 'body'}: ${issue.message}`, { location: field === null ? {} : { field }, details: { issues: parsed.error.issues.slice(0, 10) } });
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const { registry } = options;
  const live = options.live ?? null;
  const started = Date.now();
  // On close, connections still open (an event stream, a client that never read its response) are cut: the live session has saved by then.
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? SERVER_DEFAULTS.bodyLimit,
    return503OnClosing: true,
    forceCloseConnections: true,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    // Errors Fastify's router and Node's parser answer themselves: in the one error shape too.
    frameworkErrors: routingError,
    clientErrorHandler: clientError,
  });
  const metrics = createServerMetrics(registry, live);
  const tokenDigest = options.token === null ? null : digest(options.token);

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string; validation?: unknown }, _request, reply) => {
    if (error instanceof GrpoTraderError) {
      const status = httpStatusByCode[error.code] ?? 500;
      if (status >= 500) return reply.code(status).send(errorBody(error.code, 'internal error', null));
      return reply.code(status).send(errorBody(error.code, error.message, error.location?.field ?? null));
    }
    const status = error.statusCode ?? 500;
    if (status === 413) return reply.code(413).send(errorBody(ErrorCodes.payloadTooLarge, `request body larger than ${options.bodyLimit ?? SERVER_DEFAULTS.bodyLimit} bytes`, 'body'));
    if (status === 429) return reply.code(429).send(errorBody(ErrorCodes.rateLimited, error.message, null));
    if (status === 415) return reply.code(415).send(errorBody(ErrorCodes.invalidArgument, 'send the body as application/json', 'content-type'));
    if (status >= 400 && status < 500) {
      const message = error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError ? 'the body is not valid JSON' : error.message;
      return reply.code(status).send(errorBody(ErrorCodes.invalidArgument, message, 'body'));
    }
    app.log.error(error);
    return reply.code(500).send(errorBody(ErrorCodes.internal, 'internal error', null));
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(errorBody(ErrorCodes.notFound, `no route ${request.method} ${request.url.split('?')[0]} (GET /openapi.json lists them)`, 'path')));

  const limit = options.rateLimitPerMinute ?? SERVER_DEFAULTS.rateLimitPerMinute;
  if (limit > 0) {
    await app.register(rateLimit, {
      max: limit,
      timeWindow: '1 minute',
      errorResponseBuilder: (_request, context) => Object.assign(new Error(`rate limit: at most ${context.max} requests per minute; retry in ${Math.ceil(context.ttl / 1000)} s`), { statusCode: 429 }),
    });
  }

  /** Bearer-token guard of the routes that change state. */
  const requireToken = async (request: FastifyRequest, reply: FastifyReply) => {
    const header = request.headers.authorization;
    if (!header || !/^Bearer\s+\S+$/i.test(header)) {
      reply.header('www-authenticate', 'Bearer');
      throw new GrpoTraderError(ErrorCodes.unauthorized, 'this route changes state: send Authorization: Bearer <token>', { location: { field: 'authorization' } });
    }
    if (tokenDigest === null) throw new GrpoTraderError(ErrorCodes.forbidden, 'this server was started without --token-file: routes that change state are disabled', { location: { field: 'authorization' } });
    const given = digest(header.replace(/^Bearer\s+/i, ''));
    if (!timingSafeEqual(given, tokenDigest)) throw new GrpoTraderError(ErrorCodes.forbidden, 'the token is not valid for this server', { location: { field: 'authorization' } });
  };

  // Probes and the metrics scrape are not rate-limited: an API client at its limit must not make the service look dead.
  const unlimited = { config: { rateLimit: false } } as const;
  app.get('/health', unlimited, async () => ({ status: 'ok' as const, uptime_s: (Date.now() - started) / 1000, version: SERVER_VERSION }));
  app.get('/ready', unlimited, async (_request, reply) => {
    const ready = registry.size > 0 && (live === null || live.ready());
    return reply.code(ready ? 200 : 503).send({ ready, models: registry.size, active: registry.active });
  });

  app.post('/v1/predict', async (request) => {
    const began = performance.now();
    const body = parseOr400(PredictRequestSchema, request.body);
    const { id, predictor } = registry.get(body.model);
    const explain = body.explain === true;
    let prediction;
    let regime = null;
    if (body.observation) {
      prediction = await predictor.predictObservation(body.observation, { explain });
    } else {
      const market = marketFromBarsInput(body.bars!, predictor.symbols);
      if (body.weights && body.weights.length !== predictor.symbols.length) {
        throw new GrpoTraderError(ErrorCodes.invalidArgument, `weights has ${body.weights.length} values; the model trades ${predictor.symbols.length} symbols`, { location: { field: 'weights' } });
      }
      prediction = await predictor.predictMarket(market, { ...(body.weights ? { weights: body.weights } : {}), explain });
      const known = lastRegime(market);
      regime = known ? { label: known.label, stability: known.stability } : null;
    }
    const latency = performance.now() - began;
    metrics.observePrediction(id, latency / 1000);
    return { model: id, ...prediction, regime, latency_ms: latency };
  });

  app.post('/v1/analysis', async (request) => {
    const body = parseOr400(AnalysisRequestSchema, request.body);
    const market = marketFromBarsInput(body.bars);
    let drift = null;
    if (registry.size > 0) {
      const { id, predictor } = registry.get(body.model);
      const reference = predictor.info.data?.featureReference;
      if (reference && market.symbols.length > 0) drift = { model: id, features: predictor.info.config.data.features, reference };
    }
    const analysis = analyzeMarket(market, drift);
    if (analysis.drift?.max_psi != null) metrics.featureDrift.set({ model: analysis.drift.model }, analysis.drift.max_psi);
    return analysis;
  });

  app.get('/v1/models', async () => ({
    models: registry.list().map(({ id, predictor }) => ({
      id,
      active: id === registry.active,
      algorithm: predictor.info.algorithm,
      policy: predictor.info.config.algorithm.policy,
      engine: predictor.engine,
      checkpoint: predictor.info.checkpointLabel,
      update: predictor.info.update,
      symbols: [...predictor.symbols],
      features: predictor.info.data?.features ?? [],
      observation_size: predictor.observationSize,
      required_bars: predictor.requiredBars,
    })),
  }));
  app.post<{ Params: { id: string } }>('/v1/models/:id/activate', { preHandler: requireToken }, async (request) => {
    const id = parseOr400(ModelIdSchema, request.params.id, 'id');
    registry.activate(id);
    live?.record('activation', { model: id });
    return { active: id };
  });

  const requireLive = (): LiveController => {
    if (!live) throw new GrpoTraderError(ErrorCodes.notFound, 'no live session: start the server with --live SOURCE (or --demo)', { location: { field: 'live' } });
    return live;
  };
  app.get('/v1/online/status', async () => requireLive().status());
  app.post('/v1/online/pause', { preHandler: requireToken }, async () => requireLive().pause());
  app.post('/v1/online/resume', { preHandler: requireToken }, async () => requireLive().resume());
  app.get('/v1/alerts', async () => ({ alerts: live ? live.alerts() : [] }));
  app.get<{ Querystring: { after?: string } }>('/v1/stream', async (request, reply) => {
    const session = requireLive();
    // Resume after the last event a client saw: ?after=N or the Last-Event-ID header.
    const afterText = request.query.after ?? request.headers['last-event-id'];
    const after = afterText === undefined ? 0 : Number(afterText);
    if (!(Number.isInteger(after) && after >= 0)) throw new GrpoTraderError(ErrorCodes.invalidArgument, `after must be a non-negative integer, got ${JSON.stringify(afterText)}`, { location: { field: 'after' } });
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    raw.write(`retry: 2000\n\n`);
    const send = (event: LiveEvent) => raw.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event.data)}\n\n`);
    // Messages without an id: they leave the client's last event id where it is (no id is skipped).
    const notice = (type: string, data: unknown) => raw.write(`event: ${type}\ndata: ${JSON.stringify(data)}\n\n`);
    // Every retained event after `after`, in order, then the status as it is now, then live events:
    // history and subscription are taken in the same tick, so nothing falls between them.
    const newest = session.lastSeq();
    const restarted = after > newest;
    if (restarted) notice('reset', { after, last_id: newest, message: `no event ${after} in this session (the server was restarted): the stream starts again from its oldest retained event` });
    const events = session.history(restarted ? 0 : after);
    const first = events[0]?.seq ?? newest + 1;
    if (!restarted && first > after + 1) notice('gap', { after, first_id: first, missed: first - after - 1, message: `events ${after + 1}..${first - 1} are no longer retained (the session keeps its newest events only)` });
    for (const event of events) send(event);
    notice('status', session.status());
    const unsubscribe = session.subscribe(send);
    const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), 15_000);
    request.raw.on('close', () => {
      clearInterval(heartbeat);
      unsubscribe();
    });
  });

  app.get('/metrics', unlimited, async (_request, reply) => reply.header('content-type', metrics.registry.contentType).send(await metrics.registry.metrics()));
  app.get('/openapi.json', async () => openApiDocument(ROUTES, SERVER_VERSION));
  app.get('/docs', async (_request, reply) => reply.type('text/html; charset=utf-8').send(docsHtml(openApiDocument(ROUTES, SERVER_VERSION))));
  // The dashboard carries the session's history so far (drawn as the page loads; orders are not drawn),
  // then the status as it is now, numbered as the newest event: the page's stream continues after it.
  app.get('/', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(dashboardHtml(live ? [...live.history().filter((e) => e.type !== 'order'), { type: 'status', data: live.status(), seq: live.lastSeq() }] : [])),
  );

  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(request.routeOptions.url ?? 'unknown', request.method, reply.statusCode, reply.elapsedTime / 1000);
  });
  app.addHook('onClose', async () => live?.stop());
  return app;
}

