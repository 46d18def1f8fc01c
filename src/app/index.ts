/** Application services: compositions of the library rooms and the run store (the CLI and the server are adapters over them). */
export { runLearnCheck, isCalledSignificant, recordLearnCheck, learnCheckFromStore, learnCheckTable, learnCheckSplits, LEARN_CHECK_DEFAULTS, type LearnCheckOptions, type LearnCheckResult, type LearnCheckRun, type LearnCheckMarketSummary, type Interval } from './learn-check.js';
export { renderLearnCheckHtml, writeLearnCheckReport } from './learn-check-report.js';
