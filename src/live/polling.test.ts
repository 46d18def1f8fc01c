/**
 * A live session on a polled feed: bars arrive one at a time by the source's clock, each counted
 * final once the next has opened; the session goes on over the growing market and makes exactly the
 * decisions a replay of the same bars makes — also across a stop and a restart from its save. Gaps
 * and a failing source are reported; polling backs off.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMarket } from '../data/index.js';
import type { MarketData } from '../data/types.js';
import { initEngine } from '../nn/index.js';
import { RecordedConnector } from '../../test/recorded-connector.js';
import { trainTinyModel } from '../../test/tiny-model.js';
import { LiveSession } from './live-session.js';
import { RunStore } from '../store/run-store.js';
import { PollingSource, WatchingSource, type SourceEvent } from './sources.js';

let dir: string;
let dataDir: string;
let market: MarketData;
const FROM = '2011-02-01';
const ONLINE = { minSamplesBeforeUpdate: 40, evaluationWindow: 20, evaluationInterval: 20, updateFrequency: 5, batchSize: 16 };

beforeAll(async () => {
  await initEngine({ threads: 1 });
  dir = await mkdtemp(join(tmpdir(), 'grpo-polling-'));
  ({ dataDir } = await trainTinyModel(dir, { bars: 520, overrides: { splits: { train: { from: '2010-01-01', to: '2010-09-30' }, validation: null, test: null } } }));
  market = (await loadMarket([dataDir])).market;
}, 60_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
}, 60_000);

const lines = async (state: string) => (await readFile(join(state, 'steps.jsonl'), 'utf8')).trim().split('\n');

/** Advance the source's clock one bar at a time until the session has decided `bars` bars (or the feed ends). */
async function feed(session: LiveSession, connector: RecordedConnector, upTo: number): Promise<void> {
  let t = market.time.indexOf(connector.now);
  while (t < upTo) {
    connector.now = market.time[++t]!;
    // The bar two back is now final; wait until the session has decided it.
    const target = t - 1;
    for (let k = 0; k < 2000; k++) {
      const status = session.status() as { next_date: string | null; bars: number };
      if (status.next_date !== null && status.next_date >= new Date(market.time[target]!).toISOString().slice(0, 10)) break;
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

describe('LiveSession on a polled feed', () => {
  it('decides on the growing market exactly as a replay of the same bars, across a stop and a restart', async () => {
    const replayState = join(dir, 'replay');
    const replay = await LiveSession.start({ model: join(dir, 'model'), data: [dataDir], from: FROM, stateDir: replayState, paceMs: 0, options: ONLINE, store: null, saveFrequency: 10 });
    await replay.whenDone();
    await replay.stop();
    const expected = await lines(replayState);

    const connector = new RecordedConnector(market);
    const first = market.time.findIndex((t) => new Date(t).toISOString().slice(0, 10) >= FROM);
    connector.now = market.time[first + 30]!;
    const events: SourceEvent[] = [];
    const source = () => new PollingSource(connector, { symbols: market.symbols, interval: '1d', from: market.time[0]!, pollMs: 1, onEvent: (e) => events.push(e), now: () => connector.now });
    const state = join(dir, 'polled');
    const store = RunStore.open(join(dir, 'polled.sqlite'));
    const session = await LiveSession.start({ model: join(dir, 'model'), data: [], source: source(), from: FROM, stateDir: state, paceMs: 0, options: ONLINE, store, saveFrequency: 10 });
    const seen: { type: string; bar: number }[] = [];
    session.subscribe((event) => {
      if (event.type === 'order' || event.type === 'decision') seen.push({ type: event.type, bar: (event.data as { bar: number }).bar });
    });
    await feed(session, connector, first + 120);
    // With bar t forming, bar t − 1 is final: its orders are out; the last settled decision is t − 2's.
    for (let k = 0; k < 500 && seen.filter((e) => e.type === 'order').at(-1)?.bar !== first + 119; k++) await new Promise((r) => setTimeout(r, 10));
    const lastOrder = seen.filter((e) => e.type === 'order').at(-1)!.bar;
    const lastSettled = seen.filter((e) => e.type === 'decision').at(-1)!.bar;
    expect(lastOrder).toBe(first + 119);
    expect(lastSettled).toBe(first + 118);
    await session.stop();
    const halfway = await lines(state);
    expect(halfway.length).toBeGreaterThan(100);
    // Down for a while: five more bars open before the restart, so it resumes on a grown market
    // (recording its events in a store, whose dates come from that market).
    connector.now = market.time[first + 125]!;
    const resumed = await LiveSession.start({ model: join(dir, 'model'), data: [], source: source(), from: FROM, stateDir: state, paceMs: 0, options: ONLINE, store, saveFrequency: 10 });
    await feed(resumed, connector, market.time.length - 1);
    await resumed.stop();
    const [run] = store.listRuns();
    const recorded = store.events(run!.id);
    store.close();
    expect(recorded.some((e) => e.kind === 'update' && e.bar! > first + 125)).toBe(true);
    for (const e of recorded) expect(e.date).toBe(new Date(market.time[e.bar!]!).toISOString().slice(0, 10));
    const polled = await lines(state);
    // The last recorded bar never becomes final (nothing opens after it): one decision fewer at most.
    expect(polled.length).toBeGreaterThanOrEqual(expected.length - 1);
    // The orders, recorded as each decision was taken, are the replay's too.
    const orders = (await readFile(join(state, 'orders.jsonl'), 'utf8')).trim().split('\n');
    const expectedOrders = (await readFile(join(replayState, 'orders.jsonl'), 'utf8')).trim().split('\n');
    expect(orders.slice(0, polled.length)).toEqual(expectedOrders.slice(0, polled.length));
    const firstDifference = polled.findIndex((line, k) => line !== expected[k]);
    expect(firstDifference, `line ${firstDifference}: ${polled[firstDifference]} vs ${expected[firstDifference]}`).toBe(-1);
    expect(events.filter((e) => e.kind !== 'recovered')).toEqual([]);
  }, 180_000);

  it('reports a gap and skips that time; backs off while the source fails, then recovers', async () => {
    const connector = new RecordedConnector(market);
    connector.now = market.time[100]!;
    const gapTime = market.time[103]!;
    connector.missing.set(market.symbols[1]!, new Set([gapTime]));
    const events: SourceEvent[] = [];
    const source = new PollingSource(connector, { symbols: market.symbols, interval: '1d', from: market.time[0]!, pollMs: 1_000, maxBackoffMs: 10_000, onEvent: (e) => events.push(e), now: () => connector.now });
    const initial = await source.initial();
    // Bar 100 may still be forming: the history ends at bar 99.
    expect(initial.time.length).toBe(100);
    connector.now = market.time[106]!;
    const grown = (await source.poll())!;
    expect(Array.from(grown.time.subarray(100))).toEqual([100, 101, 102, 104, 105].map((t) => market.time[t]!));
    expect(events).toEqual([expect.objectContaining({ kind: 'gap', symbol: market.symbols[1], time: gapTime })]);
    connector.failNext = 2;
    expect(await source.poll()).toBeNull();
    expect(source.nextDelayMs()).toBe(2_000);
    expect(await source.poll()).toBeNull();
    expect(source.nextDelayMs()).toBe(4_000);
    connector.now = market.time[108]!;
    expect((await source.poll())!.time.length).toBe(grown.time.length + 2);
    expect(source.nextDelayMs()).toBe(1_000);
    expect(events.map((e) => e.kind)).toEqual(['gap', 'error', 'error', 'recovered']);
  });
});

describe('WatchingSource (ccxt websocket candles)', () => {
  it('waits for a pushed update, then reads the bars that became final; falls back to polling when the watch fails', async () => {
    const connector = new RecordedConnector(market);
    connector.now = market.time[100]!;
    let push: (() => void) | null = null;
    let failWatch = false;
    const exchange = {
      id: 'recorded',
      has: { watchOHLCV: true },
      watchOHLCV: () =>
        new Promise<unknown[]>((resolve, reject) => {
          if (failWatch) reject(new Error('socket closed'));
          else push = () => resolve([]);
        }),
    };
    const events: SourceEvent[] = [];
    const polling = new PollingSource(connector, { symbols: market.symbols, interval: '1d', from: market.time[0]!, pollMs: 1_000, onEvent: (e) => events.push(e), now: () => connector.now });
    const source = new WatchingSource(polling, exchange, 0);
    expect((await source.initial()).time.length).toBe(100);
    const pending = source.poll();
    let settled = false;
    void pending.then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    connector.now = market.time[102]!;
    push!();
    expect((await pending)!.time.length).toBe(102);
    expect(source.nextDelayMs()).toBe(0);
    failWatch = true;
    connector.now = market.time[103]!;
    expect((await source.poll())!.time.length).toBe(103);
    expect(source.nextDelayMs()).toBe(1_000);
    expect(events.map((e) => e.kind)).toEqual(['error']);
    expect(() => new WatchingSource(polling, { id: 'x', has: {}, watchOHLCV: async () => [] })).toThrow(/no websocket candles/);
  });
});
