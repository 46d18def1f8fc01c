/**
 * A file-system-safe name for a symbol: `/` becomes `-` (`BTC/USDT` → `BTC-USDT`), `:` becomes `_`
 * (`BTC/USDT:USDT` → `BTC-USDT_USDT`), and anything outside `[A-Za-z0-9._^=-]` becomes `_`.
 */
export function symbolFileName(symbol: string): string {
  const safe = symbol.replaceAll('/', '-').replaceAll(':', '_').replace(/[^A-Za-z0-9._^=-]/g, '_');
  // Never a hidden file or a path component like `..`.
  return safe === '' || safe.startsWith('.') ? `_${safe}` : safe;
}
