/** The OpenAPI 3 document, generated from the route table and the same zod schemas the handlers parse with; and a plain docs page. */
import { z } from 'zod';
import { escapeHtml } from '../backtest/report/render-html.js';
import { AnalysisRequestSchema, AnalysisSchema, ErrorBodySchema, HealthSchema, ModelListSchema, PredictionSchema, PredictRequestSchema, ReadySchema } from './schemas.js';

export interface RouteDoc {
  method: 'get' | 'post';
  path: string;
  summary: string;
  auth?: boolean;
  body?: z.ZodType;
  response?: z.ZodType;
  responseType?: string;
}

const Json = z.record(z.string(), z.unknown());

export const ROUTES: RouteDoc[] = [
  { method: 'post', path: '/v1/predict', summary: 'Target weights for an observation or for recent bars: action distribution, C51 value distribution with VaR/CVaR, feature importances, regime, model, latency', body: PredictRequestSchema, response: PredictionSchema },
  { method: 'post', path: '/v1/analysis', summary: 'Bars → regime and stability, per-symbol metrics, return correlations, feature drift (PSI) against the model’s training split', body: AnalysisRequestSchema, response: AnalysisSchema },
  { method: 'get', path: '/v1/models', summary: 'The loaded models and which one is active', response: ModelListSchema },
  { method: 'post', path: '/v1/models/{id}/activate', summary: 'Make a model the default for predictions', auth: true, response: z.object({ active: z.string() }) },
  { method: 'get', path: '/v1/online/status', summary: 'The live online-learning session: bar, date, value, regime, champion, updates, events, paused', response: Json },
  { method: 'post', path: '/v1/online/pause', summary: 'Pause the live session (bars keep their place; nothing is traded or learned while paused)', auth: true, response: Json },
  { method: 'post', path: '/v1/online/resume', summary: 'Resume the live session', auth: true, response: Json },
  { method: 'get', path: '/v1/alerts', summary: 'Alerts raised by the monitors (drift, performance, drawdown, staleness, latency)', response: z.object({ alerts: z.array(Json) }) },
  { method: 'get', path: '/v1/stream', summary: 'Server-sent events: order, decision, online, alert, status (each with an id); ?after=N or Last-Event-ID replays every retained event after N, in order, then the live ones', responseType: 'text/event-stream' },
  { method: 'get', path: '/health', summary: 'Liveness', response: HealthSchema },
  { method: 'get', path: '/ready', summary: 'Readiness (503 until a model is loaded and the live session, if any, has started)', response: ReadySchema },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', responseType: 'text/plain' },
  { method: 'get', path: '/openapi.json', summary: 'This document', response: Json },
  { method: 'get', path: '/docs', summary: 'The API reference as a page', responseType: 'text/html' },
  { method: 'get', path: '/', summary: 'The dashboard', responseType: 'text/html' },
];

const schemaOf = (schema: z.ZodType) => z.toJSONSchema(schema, { target: 'openapi-3.0', unrepresentable: 'any', io: 'input' });

export function openApiDocument(routes: readonly RouteDoc[], version: string) {
  const error = { description: 'Error', content: { 'application/json': { schema: schemaOf(ErrorBodySchema) } } };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const parameters = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' } }));
    paths[route.path] ??= {};
    paths[route.path]![route.method] = {
      summary: route.summary,
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(route.auth ? { security: [{ bearer: [] }] } : {}),
      ...(route.body ? { requestBody: { required: true, content: { 'application/json': { schema: schemaOf(route.body) } } } } : {}),
      responses: {
        200: route.response ? { description: 'OK', content: { 'application/json': { schema: schemaOf(route.response) } } } : { description: 'OK', content: { [route.responseType ?? 'text/plain']: {} } },
        ...(route.body || route.auth || route.path.includes('{') ? { 400: error, 404: error } : {}),
        ...(route.auth ? { 401: error, 403: error } : {}),
        429: error,
      },
    };
  }
  return {
    openapi: '3.0.3',
    info: { title: 'grpo-trader', version, description: 'Model serving, market analysis and the live online-learning session. Errors: { error: { code, message, field } }.' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    paths,
  };
}

/** A self-contained reference page (no network): each route, its body and response schemas. */
export function docsHtml(document: ReturnType<typeof openApiDocument>): string {
  const sections = Object.entries(document.paths)
    .flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => {
        const op = operation as { summary: string; security?: unknown; requestBody?: { content: Record<string, { schema: unknown }> }; responses: Record<string, { content?: Record<string, { schema?: unknown }> }> };
        const body = op.requestBody ? `<h4>Request body</h4><pre>${escapeHtml(JSON.stringify(op.requestBody.content['application/json']!.schema, null, 2))}</pre>` : '';
        const ok = op.responses['200']?.content?.['application/json']?.schema;
        return `<section><h3><code>${method.toUpperCase()} ${escapeHtml(path)}</code>${op.security ? ' <span class="auth">bearer token</span>' : ''}</h3><p>${escapeHtml(op.summary)}</p>${body}${ok ? `<details><summary>Response</summary><pre>${escapeHtml(JSON.stringify(ok, null, 2))}</pre></details>` : ''}</section>`;
      }),
    )
    .join('\n');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>grpo-trader API</title><style>body{font-family:system-ui,sans-serif;max-width:1000px;margin:0 auto;padding:16px}pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:360px;font-size:12px}.auth{background:#fde7c8;border-radius:4px;padding:1px 6px;font-size:12px}h3{margin-bottom:4px}</style></head><body><h1>grpo-trader API ${escapeHtml(document.info.version)}</h1><p>${escapeHtml(document.info.description)} Machine-readable: <a href="/openapi.json">/openapi.json</a>.</p>${sections}</body></html>`;
}
