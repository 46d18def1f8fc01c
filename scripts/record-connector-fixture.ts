/**
 * Record a live response as a connector fixture (the only script here that uses the network; tests
 * never do). Prints JSON on stdout:
 *
 *   node --import tsx scripts/record-connector-fixture.ts yahoo AAPL 1d 2024-01-01 2024-01-11 > test/fixtures/connectors/yahoo-chart-aapl-1d.json
 *   node --import tsx scripts/record-connector-fixture.ts ccxt:binance BTC/USDT 1h 2024-01-01 2024-01-02 > test/fixtures/connectors/ccxt-binance-btcusdt-1h.json
 *
 * Yahoo: the object yahoo-finance2's `chart(symbol, { return: 'object' })` resolves to, with every
 * Date written back as epoch seconds (as Yahoo's HTTP response carries it). ccxt: the concatenated
 * `fetchOHLCV` pages, `[[ms, open, high, low, close, volume], ...]`. Keep fixtures small: trim them by hand.
 */
import YahooFinance from 'yahoo-finance2';
import ccxt from 'ccxt';

async function main(): Promise<void> {
  const [source, symbol, interval, fromText, toText] = process.argv.slice(2);
  if (!source || !symbol || !interval || !fromText || !toText) {
    process.stderr.write('usage: record-connector-fixture.ts yahoo|ccxt:EXCHANGE SYMBOL INTERVAL FROM TO\n');
    process.exitCode = 64;
    return;
  }
  const from = Date.parse(`${fromText}T00:00:00Z`);
  const to = Date.parse(`${toText}T00:00:00Z`);
  let recorded: unknown;
  if (source === 'yahoo') {
    const yahooFinance = new YahooFinance({ suppressNotices: ['yahooSurvey'] });
    const result = await yahooFinance.chart(symbol, {
      period1: new Date(from),
      period2: new Date(to),
      interval: interval as '1d',
      events: 'div|split',
      includePrePost: false,
      return: 'object',
    });
    recorded = result;
  } else if (source.startsWith('ccxt:')) {
    const id = source.slice('ccxt:'.length);
    const ExchangeClass = (ccxt as unknown as Record<string, new (config: object) => InstanceType<typeof ccxt.Exchange>>)[id];
    if (!ExchangeClass) throw new Error(`unknown ccxt exchange ${id}`);
    const exchange = new ExchangeClass({ enableRateLimit: true });
    const candles: unknown[] = [];
    for (let since = from; since < to;) {
      const page = await exchange.fetchOHLCV(symbol, interval, since, 1000);
      const inRange = page.filter((candle) => (candle[0] as number) < to);
      candles.push(...inRange);
      if (page.length === 0 || (page.at(-1)![0] as number) < since) break;
      since = (page.at(-1)![0] as number) + 1;
    }
    recorded = candles;
  } else {
    throw new Error(`unknown source ${source}`);
  }
  const json = JSON.stringify(recorded, null, 2);
  // Dates became ISO strings through JSON; write them as epoch seconds like the raw response.
  process.stdout.write(`${json.replace(/"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z)"/g, (_match, iso: string) => String(Date.parse(iso) / 1000))}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`record-connector-fixture: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
