/** Online learning (specification section 6): regimes, prioritised regime-balanced replay, drift detectors, the online agent and its crash-safe stream. */
export { SumTree, MinTree } from './segment-tree.js';
export { PrioritizedReplayBuffer, PRIORITIZED_REPLAY_DEFAULTS, REPLAY_LIMITS, replayBufferBytes, type PrioritizedReplayOptions, type ReplayBatch } from './prioritized-replay.js';
export { PageHinkley, Adwin, PAGE_HINKLEY_DEFAULTS, ADWIN_DEFAULTS, type DriftDetector, type PageHinkleyOptions, type AdwinOptions } from './drift-detectors.js';
export { RegimeDetector, REGIME_DETECTOR_DEFAULTS, REGIME_FEATURES, matchCentroids, type RegimeDetectorOptions, type RegimeStep, type RegimeImportance, type RegimeDetectorState } from './regime-detector.js';
export { detectRegimes, regimeSource, type RegimeSeries } from './regime-series.js';
export { OnlineLearningAgent, ONLINE_AGENT_DEFAULTS, ONLINE_SIZE_LIMITS, ONLINE_EVENT_KINDS, RETURN_DRIFT_DEFAULTS, type OnlineAgentOptions, type OnlineStep, type OnlineEvent, type OnlineEventKind, type OnlineAgentState } from './online-agent.js';
export { saveOnlineState, loadOnlineState, latestOnlineState, onlineStateName, type OnlineSaveRecord } from './online-state.js';
export { runOnline, ONLINE_RUN_DEFAULTS, ONLINE_SERIES, type OnlineRunInput, type OnlineRunResult } from './run-online.js';
