/** The live session (specification 9.3–9.5): the online agent paced on a feed, monitors, alerts, webhook, market analysis. */
export { LiveSession, parseLiveSource, type LiveSessionOptions, type LiveSourceSpec } from './live-session.js';
export { LiveMonitors, ALERT_RULE_DEFAULTS, parseAlertRules, type AlertRules, type MonitoredBar } from './monitors.js';
export { WebhookSender, WEBHOOK_DEFAULTS, parseWebhook, type WebhookOptions } from './webhook.js';
export { analyzeMarket, featureDrift, lastRegime, driftLevel, pearson, type MarketAnalysis } from './analysis.js';
export type { Alert, LiveController, LiveEvent } from './types.js';
export { PollingSource, WatchingSource, POLLING_DEFAULTS, type MarketDataSource, type PollingSourceOptions, type SourceEvent, type WatchExchangeLike } from './sources.js';
