/** HTML reports with inlined charts, PNG images and a headless-browser check. */
export { buildReportPayload, type ReportInput, type ReportSeriesInput, type ReportPayload } from './report-data.js';
export { renderReportHtml, REPORT_CHARTS, type ReportChart } from './render-html.js';
export { writeReport, type WriteReportOptions } from './write-report.js';
export { findChromium, screenshot, checkPageInChromium, type PageCheck } from './chromium.js';
export { explanationsRecord, type ExplanationsRecord } from './explanations.js';
