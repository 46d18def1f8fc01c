#!/usr/bin/python3
"""Expected values for src/features, computed by real pandas (Debian python3-pandas 1.5.3).

Run: /usr/bin/python3 scripts/make-feature-fixtures.py
Writes test/fixtures/features/:
  indicators.csv   synthetic seeded OHLCV (400 bars, with edge cases) + the 21 raw indicators,
                   computed by the specification's calculate_technical_indicators (section 7.4, raw part,
                   copied verbatim below).
  normalized.csv   the 12 *_norm columns under the project's causal definitions, written in pandas:
                   rolling(60, min_periods=20), expanding(min_periods=20), and fitted on rows [50, 250).
  correlation.json three synthetic assets: full-sample price/volume change correlation (DataFrame.corr)
                   and rolling-window correlations at a few bars.

Everything here is synthetic: no derived data of real market files is stored in the repository.
Numbers are written with 17 significant digits; NaN as an empty cell, infinities as inf / -inf.
"""
import json
import os

import numpy as np
import pandas as pd

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'features')


def calculate_technical_indicators(data):
    """The specification's function (architecture.md 7.4) without its look-ahead normalisation block."""
    df = pd.DataFrame(index=data.index)

    close = data['Close']
    high = data['High']
    low = data['Low']
    volume = data['Volume']
    delta = close.diff()

    df['SMA20'] = close.rolling(window=20).mean()
    df['SMA50'] = close.rolling(window=50).mean()
    df['SMA200'] = close.rolling(window=200).mean()

    df['EMA20'] = close.ewm(span=20).mean()
    df['EMA50'] = close.ewm(span=50).mean()

    ema12 = close.ewm(span=12).mean()
    ema26 = close.ewm(span=26).mean()
    df['MACD'] = ema12 - ema26
    df['MACDSignal'] = df['MACD'].ewm(span=9).mean()
    df['MACDHist'] = df['MACD'] - df['MACDSignal']

    gain = (delta.where(delta > 0, 0)).rolling(window=14).mean()
    loss = (-delta.where(delta < 0, 0)).rolling(window=14).mean()
    rs = gain / loss
    df['RSI'] = 100 - (100 / (1 + rs))

    low_min = low.rolling(window=14).min()
    high_max = high.rolling(window=14).max()
    df['%K'] = 100 * (close - low_min) / (high_max - low_min)
    df['%D'] = df['%K'].rolling(window=3).mean()

    df['ROC'] = ((close - close.shift(10)) / close.shift(10)) * 100

    window = 20
    sma = close.rolling(window=window).mean()
    std = close.rolling(window=window).std()
    df['BBUpper'] = sma + (std * 2)
    df['BBLower'] = sma - (std * 2)
    df['BBWidth'] = (df['BBUpper'] - df['BBLower']) / sma

    tr1 = high - low
    tr2 = abs(high - close.shift(1))
    tr3 = abs(low - close.shift(1))
    tr = pd.concat([tr1, tr2, tr3], axis=1).max(axis=1)
    df['ATR'] = tr.rolling(window=14).mean()

    df['OBV'] = (volume * (np.sign(delta))).cumsum()

    df['VPT'] = volume * ((close - close.shift(1)) / close.shift(1).replace(0, np.nan))
    df['VPT_MA'] = df['VPT'].rolling(window=14).mean()

    df['ForceIndex'] = close.diff(1) * volume
    df['ForceIndex13'] = df['ForceIndex'].ewm(span=13).mean()
    return df


NORMALIZE_COLS = ['RSI', 'ForceIndex', '%K', '%D', 'MACD', 'MACDSignal',
                  'BBWidth', 'ATR', 'VPT', 'VPT_MA', 'OBV', 'ROC']


def synthetic_ohlcv(n, seed):
    """A seeded random walk with the edge cases the indicators must survive."""
    rng = np.random.default_rng(seed)
    close = np.empty(n)
    close[0] = 50.0
    for i in range(1, n):
        close[i] = close[i - 1] * np.exp(rng.normal(0.0003, 0.018))
    close = np.round(close, 4)
    spread = np.abs(rng.normal(0, 0.012, n)) * close
    high = np.round(np.maximum(close + spread * rng.uniform(0, 1, n), close), 4)
    low = np.round(np.minimum(close - spread * rng.uniform(0, 1, n), close), 4)
    open_ = np.round(low + (high - low) * rng.uniform(0, 1, n), 4)
    volume = np.round(rng.lognormal(13, 0.5, n))

    # Flat stretch: 30 identical bars (RSI 0/0, %K 0/0, Bollinger std 0, ATR 0).
    flat = close[149]
    for i in range(150, 180):
        open_[i] = high[i] = low[i] = close[i] = flat
    # Zero-volume bars (OBV, VPT, ForceIndex get exact zeros; volume changes divide by zero).
    for i in (200, 201, 260, 340):
        volume[i] = 0.0
    # A bar with high == low == close but a price move from the previous close.
    open_[100] = high[100] = low[100] = close[100] = round(close[99] * 1.01, 4)
    # Strictly rising closes for 18 bars: the loss average is 0, so RSI is 100 (x/0 = inf).
    for i in range(300, 318):
        close[i] = round(close[i - 1] * 1.004, 4)
        high[i] = round(close[i] * 1.002, 4)
        low[i] = round(close[i - 1], 4)
        open_[i] = low[i]
    # Strictly falling closes for 16 bars: the gain average is 0, so RSI is 0.
    for i in range(330, 346):
        close[i] = round(close[i - 1] * 0.995, 4)
        high[i] = round(close[i - 1], 4)
        low[i] = round(close[i] * 0.998, 4)
        open_[i] = high[i]
    # Unchanged closes sprinkled in (sign 0 for OBV, zero deltas).
    for i in (60, 61, 220):
        close[i] = close[i - 1]
        high[i] = max(high[i], close[i])
        low[i] = min(low[i], close[i])
    dates = pd.bdate_range('2020-01-01', periods=n)
    return pd.DataFrame({'Open': open_, 'High': high, 'Low': low, 'Close': close, 'Volume': volume},
                        index=dates)


def fmt(value):
    if isinstance(value, (float, np.floating)):
        if np.isnan(value):
            return ''
        if np.isinf(value):
            return 'inf' if value > 0 else '-inf'
        return repr(float(value))
    return str(value)


def write_csv(path, frame):
    with open(path, 'w') as f:
        f.write(','.join(['date'] + list(frame.columns)) + '\n')
        for index, row in frame.iterrows():
            f.write(','.join([index.strftime('%Y-%m-%d')] + [fmt(v) for v in row.values]) + '\n')


def z_score(x, mean, std):
    return (x - mean) / (std + 1e-9)


def normalized(ind):
    out = pd.DataFrame(index=ind.index)
    for col in NORMALIZE_COLS:
        # Non-finite raw values (RSI's inf-derived 100 is finite; x/0 elsewhere) are missing values.
        x = ind[col].replace([np.inf, -np.inf], np.nan)
        r = x.rolling(60, min_periods=20)
        out[f'{col}_rolling60'] = z_score(x, r.mean(), r.std())
        e = x.expanding(min_periods=20)
        out[f'{col}_expanding'] = z_score(x, e.mean(), e.std())
        fit = x.iloc[50:250]
        out[f'{col}_fitted'] = z_score(x, fit.mean(), fit.std())
    return out


def correlation_fixture():
    rng = np.random.default_rng(7)
    n, symbols = 90, ['AAA', 'BBB', 'CCC']
    common = rng.normal(0, 0.01, n)
    closes = {}
    volumes = {}
    for k, s in enumerate(symbols):
        r = 0.6 * common + rng.normal(0, 0.01, n) * (1 + k * 0.3)
        closes[s] = np.round(20 * (k + 1) * np.exp(np.cumsum(r)), 4)
        volumes[s] = np.round(rng.lognormal(12, 0.4, n))
    volumes['BBB'][30] = 0.0   # next change is +inf: excluded
    volumes['BBB'][31] = 0.0   # 0 -> 0 is NaN: excluded
    volumes['CCC'][50] = 0.0
    prices = pd.DataFrame(closes)
    vols = pd.DataFrame(volumes)
    price_changes = prices / prices.shift(1) - 1
    volume_changes = (vols / vols.shift(1) - 1).replace([np.inf, -np.inf], np.nan)
    window = 20
    bars = [5, 19, 20, 32, 45, 60, 89]

    def rolling_at(changes, t):
        lo = max(0, t - window + 1)
        return changes.iloc[lo:t + 1].corr(min_periods=2).values

    def listify(m):
        return [[None if np.isnan(v) else float(v) for v in row] for row in m]

    return {
        'symbols': symbols,
        'close': {s: [float(v) for v in closes[s]] for s in symbols},
        'volume': {s: [float(v) for v in volumes[s]] for s in symbols},
        'window': window,
        'priceFull': listify(price_changes.corr(min_periods=2).values),
        'volumeFull': listify(volume_changes.corr(min_periods=2).values),
        'rolling': [{'t': t, 'price': listify(rolling_at(price_changes, t)),
                     'volume': listify(rolling_at(volume_changes, t))} for t in bars],
    }


def main():
    os.makedirs(OUT, exist_ok=True)
    data = synthetic_ohlcv(400, 20261124)
    ind = calculate_technical_indicators(data)
    bars = data[['Open', 'High', 'Low', 'Close', 'Volume']].rename(columns=str.lower)
    write_csv(os.path.join(OUT, 'indicators.csv'), pd.concat([bars, ind], axis=1))
    write_csv(os.path.join(OUT, 'normalized.csv'), normalized(ind))
    with open(os.path.join(OUT, 'correlation.json'), 'w') as f:
        json.dump(correlation_fixture(), f, indent=None, allow_nan=False)
        f.write('\n')
    print(f'pandas {pd.__version__}, numpy {np.__version__}: wrote {OUT}')


if __name__ == '__main__':
    main()
