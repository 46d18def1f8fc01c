/** The HTTP service (specification 9.2): build or start it over the library. */
export { buildServer, errorBody, parseOr400, SERVER_DEFAULTS, SERVER_VERSION, type ServerOptions } from './app.js';
export { startServer, readTokenFile, type StartServerOptions, type RunningServer } from './start.js';
export { ModelRegistry, type RegisteredModel } from './registry.js';
export { openApiDocument, ROUTES } from './openapi.js';
export { loadServeConfig, ServeConfigSchema, type ServeConfig } from './serve-config.js';
export * from './schemas.js';
