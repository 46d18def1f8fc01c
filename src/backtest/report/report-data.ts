/** What a report shows, as plain data (built from a run store entry or directly from backtest results). */
import { drawdownInto, returnsFromValues } from '../metrics.js';
import type { ExplanationsRecord } from './explanations.js';

export interface ReportSeriesInput {
  name: string;
  symbols: readonly string[];
  time: Float64Array;
  value: Float64Array;
  /** `[row × asset]` weights after each bar's decision. */
  weights: Float64Array;
  metrics: Record<string, number>;
}

export interface ReportInput {
  title: string;
  run: { id?: number; kind: string; name: string; created_at?: string; split: string; first: string; last: string; bars: number; config: unknown; data?: unknown };
  series: ReportSeriesInput[];
  /** Paired tests (StrategyTest objects). */
  tests: unknown[];
  /** Deflated Sharpe ratios (DeflatedSharpe objects). */
  deflatedSharpe: unknown[];
  /** Walk-forward windows, when the run was evaluated walk-forward: the dates fitted on and traded. */
  windows?: { index: number; train_first: string; train_last: string; test_first: string; test_last: string }[];
  /** What a deepseek policy's decisions attended to (its feature attention), when the run recorded it. */
  explanations?: ExplanationsRecord;
  /** An online learning stream: the regime known at each bar, the champion that traded, and the events. */
  online?: OnlineReportRecord;
}

/** What the report shows of an online stream. */
export interface OnlineReportRecord {
  regimes: { dates: string[]; labels: number[]; stability: number[]; champion: number[] };
  events: { kind: string; date: string | null; bar: number | null; payload: Record<string, unknown> }[];
}

/** The JSON the page reads: rounded and down-sampled so a 30-asset, multi-year run stays a few MB. */
export interface ReportPayload {
  title: string;
  run: ReportInput['run'];
  dates: string[];
  series: {
    name: string;
    value: number[];
    drawdown: number[];
    returns: number[];
    metrics: Record<string, number | null>;
    weights: { symbols: string[]; dates: string[]; rows: number[][] };
  }[];
  tests: unknown[];
  deflatedSharpe: unknown[];
  windows: NonNullable<ReportInput['windows']>;
  explanations: ExplanationsRecord | null;
  online: OnlineReportRecord | null;
}

const MAX_WEIGHT_ROWS = 600;

function significant(x: number, digits = 8): number {
  return Number.isFinite(x) ? Number(x.toPrecision(digits)) : x;
}

function isoDate(ms: number): string {
  const text = new Date(ms).toISOString();
  return ms % 86_400_000 === 0 ? text.slice(0, 10) : text.slice(0, 16).replace('T', ' ');
}

/** Build the page's payload. Every series must cover the same dates (a comparison runs on one calendar). */
export function buildReportPayload(input: ReportInput): ReportPayload {
  const first = input.series[0];
  const dates = first ? Array.from(first.time, isoDate) : [];
  return {
    title: input.title,
    run: input.run,
    dates,
    series: input.series.map((s) => {
      const n = s.symbols.length;
      const rows = s.time.length;
      const step = Math.max(1, Math.ceil(rows / MAX_WEIGHT_ROWS));
      const weightDates: string[] = [];
      const weightRows: number[][] = [];
      for (let i = 0; i < rows; i += step) {
        weightDates.push(dates[i] ?? isoDate(s.time[i]!));
        weightRows.push(Array.from(s.weights.subarray(i * n, (i + 1) * n), (w) => Math.round(w * 1e5) / 1e5));
      }
      const drawdown = drawdownInto(new Float64Array(rows), s.value);
      return {
        name: s.name,
        value: Array.from(s.value, (v) => significant(v)),
        drawdown: Array.from(drawdown, (d) => significant(-d, 6)),
        returns: Array.from(returnsFromValues(s.value), (r) => significant(r, 6)),
        metrics: Object.fromEntries(Object.entries(s.metrics).map(([k, v]) => [k, Number.isNaN(v) ? null : v])),
        weights: { symbols: [...s.symbols], dates: weightDates, rows: weightRows },
      };
    }),
    tests: input.tests,
    deflatedSharpe: input.deflatedSharpe,
    windows: input.windows ?? [],
    explanations: input.explanations ? downsampleExplanations(input.explanations) : null,
    // Update events are many and alike: the table lists the others (the chart marks every kind).
    online: input.online ? { regimes: input.online.regimes, events: input.online.events.filter((e) => e.kind !== 'update') } : null,
  };
}

/** At most MAX_WEIGHT_ROWS decisions of the importance series (every k-th), like the weights. */
function downsampleExplanations(record: ExplanationsRecord): ExplanationsRecord {
  const step = Math.max(1, Math.ceil(record.dates.length / MAX_WEIGHT_ROWS));
  if (step === 1) return record;
  const keep = (_: unknown, i: number) => i % step === 0;
  return { ...record, dates: record.dates.filter(keep), asset_importance: record.asset_importance.filter(keep) };
}
