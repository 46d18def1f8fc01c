/** Online learning (specification section 6): prioritised regime-balanced replay, drift detectors. */
export { SumTree, MinTree } from './segment-tree.js';
export { PrioritizedReplayBuffer, PRIORITIZED_REPLAY_DEFAULTS, type PrioritizedReplayOptions, type ReplayBatch } from './prioritized-replay.js';
export { PageHinkley, Adwin, PAGE_HINKLEY_DEFAULTS, ADWIN_DEFAULTS, type DriftDetector, type PageHinkleyOptions, type AdwinOptions } from './drift-detectors.js';
