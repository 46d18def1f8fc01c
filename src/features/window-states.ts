/**
 * One-value-at-a-time forms of the kernels in kernels.ts, for streaming use. Each performs the same
 * floating-point operations in the same order as its batch kernel, so a stream reproduces the batch
 * numbers bit for bit. State lives in preallocated ring buffers; `update` allocates nothing.
 */

// Observation and sign-bit tests are inline, as in kernels.ts.

/** Streaming rollingMeanInto (window = Infinity: expanding). */
export class RollingMeanState {
  private readonly ring: Float64Array;
  private count = 0;
  private nobs = 0;
  private negativeCount = 0;
  private sum = 0;
  private compensationAdd = 0;
  private compensationRemove = 0;
  private sameCount = 0;
  private previous = Number.NaN;

  constructor(readonly window: number, readonly minPeriods: number = window) {
    this.ring = new Float64Array(Number.isFinite(window) ? window : 0);
  }

  reset(): void {
    this.count = this.nobs = this.negativeCount = this.sameCount = 0;
    this.sum = this.compensationAdd = this.compensationRemove = 0;
    this.previous = Number.NaN;
  }

  update(value: number): number {
    if (this.count === 0) this.previous = value;
    if (this.ring.length > 0) {
      const slot = this.count % this.window;
      if (this.count >= this.window) {
        const old = this.ring[slot]!;
        if ((old - old === 0)) {
          this.nobs--;
          const y = -old - this.compensationRemove;
          const t = this.sum + y;
          this.compensationRemove = t - this.sum - y;
          this.sum = t;
          if ((old < 0 || (old === 0 && 1 / old < 0))) this.negativeCount--;
        }
      }
      this.ring[slot] = value;
    }
    this.count++;
    if ((value - value === 0)) {
      this.nobs++;
      const y = value - this.compensationAdd;
      const t = this.sum + y;
      this.compensationAdd = t - this.sum - y;
      this.sum = t;
      if ((value < 0 || (value === 0 && 1 / value < 0))) this.negativeCount++;
      if (value === this.previous) this.sameCount++;
      else this.sameCount = 1;
      this.previous = value;
    }
    const nobs = this.nobs;
    if (nobs >= this.minPeriods && nobs > 0) {
      const result = this.sum / nobs;
      if (this.sameCount >= nobs) return this.previous;
      if (this.negativeCount === 0 && result < 0) return 0;
      if (this.negativeCount === nobs && result > 0) return 0;
      return result;
    }
    return Number.NaN;
  }
}

/** Streaming rollingVarianceInto (window = Infinity: expanding). */
export class RollingVarianceState {
  private readonly ring: Float64Array;
  private readonly minimum: number;
  private count = 0;
  private nobs = 0;
  private mean = 0;
  private ssqdm = 0;
  private compensationAdd = 0;
  private compensationRemove = 0;
  private sameCount = 0;
  private previous = Number.NaN;

  constructor(readonly window: number, minPeriods: number = window, readonly ddof = 1) {
    this.ring = new Float64Array(Number.isFinite(window) ? window : 0);
    this.minimum = Math.max(minPeriods, 1);
  }

  reset(): void {
    this.count = this.nobs = this.sameCount = 0;
    this.mean = this.ssqdm = this.compensationAdd = this.compensationRemove = 0;
    this.previous = Number.NaN;
  }

  update(value: number): number {
    if (this.count === 0) this.previous = value;
    if (this.ring.length > 0) {
      const slot = this.count % this.window;
      if (this.count >= this.window) {
        const old = this.ring[slot]!;
        if ((old - old === 0)) {
          this.nobs--;
          if (this.nobs !== 0) {
            const previousMean = this.mean - this.compensationRemove;
            const y = old - this.compensationRemove;
            const t = y - this.mean;
            this.compensationRemove = t + this.mean - y;
            this.mean = this.mean - t / this.nobs;
            this.ssqdm = this.ssqdm - (old - previousMean) * (old - this.mean);
          } else {
            this.mean = 0;
            this.ssqdm = 0;
          }
        }
      }
      this.ring[slot] = value;
    }
    this.count++;
    if ((value - value === 0)) {
      this.nobs++;
      if (value === this.previous) this.sameCount++;
      else this.sameCount = 1;
      this.previous = value;
      const previousMean = this.mean - this.compensationAdd;
      const y = value - this.compensationAdd;
      const t = y - this.mean;
      this.compensationAdd = t + this.mean - y;
      this.mean = this.mean + t / this.nobs;
      this.ssqdm = this.ssqdm + (value - previousMean) * (value - this.mean);
    }
    const nobs = this.nobs;
    if (nobs >= this.minimum && nobs > this.ddof) {
      return nobs === 1 || this.sameCount >= nobs ? 0 : this.ssqdm / (nobs - this.ddof);
    }
    return Number.NaN;
  }

  /** Update and return the standard deviation (negatives clipped to 0, like pandas' zsqrt). */
  updateStd(value: number): number {
    const variance = this.update(value);
    return variance < 0 ? 0 : Math.sqrt(variance);
  }
}

/** Streaming rollingExtremumInto. */
export class RollingExtremumState {
  private readonly ring: Float64Array;
  private count = 0;
  private nobs = 0;
  private best = -1;

  constructor(readonly window: number, readonly isMax: boolean, readonly minPeriods: number = window) {
    this.ring = new Float64Array(window);
  }

  reset(): void {
    this.count = this.nobs = 0;
    this.best = -1;
  }

  update(value: number): number {
    const i = this.count;
    const window = this.window;
    const start = i - window + 1;
    const low = start < 0 ? 0 : start;
    if (start > 0) {
      const old = this.ring[(start - 1) % window]!;
      if (old - old === 0) this.nobs--;
    }
    this.ring[i % window] = value;
    this.count++;
    const observed = (value - value === 0);
    if (observed) this.nobs++;
    if (this.best < low) {
      let best = -1;
      for (let j = low; j <= i; j++) {
        const candidate = this.ring[j % window]!;
        if (!(candidate - candidate === 0)) continue;
        if (best < 0 || (this.isMax ? candidate >= this.ring[best % window]! : candidate <= this.ring[best % window]!)) best = j;
      }
      this.best = best;
    } else if (observed && (this.isMax ? value >= this.ring[this.best % window]! : value <= this.ring[this.best % window]!)) {
      this.best = i;
    }
    return this.nobs >= this.minPeriods && this.nobs > 0 && this.best >= 0 ? this.ring[this.best % window]! : Number.NaN;
  }
}

/** Streaming ewmMeanInto (pandas ewm(span).mean(), adjust=True, ignore_na=False). */
export class EwmMeanState {
  private readonly oldWeightFactor: number;
  private started = false;
  private weighted = Number.NaN;
  private oldWeight = 1;
  private observations = 0;

  constructor(readonly span: number) {
    this.oldWeightFactor = 1 - 1 / (1 + (span - 1) / 2);
  }

  reset(): void {
    this.started = false;
    this.weighted = Number.NaN;
    this.oldWeight = 1;
    this.observations = 0;
  }

  update(value: number): number {
    const isObs = (value - value === 0);
    const current = isObs ? value : Number.NaN;
    if (!this.started) {
      this.started = true;
      this.weighted = current;
      this.observations = isObs ? 1 : 0;
      this.oldWeight = 1;
      return this.observations >= 1 ? this.weighted : Number.NaN;
    }
    if (isObs) this.observations++;
    if (this.weighted === this.weighted) {
      this.oldWeight *= this.oldWeightFactor;
      if (isObs) {
        if (this.weighted !== current) {
          this.weighted = this.oldWeight * this.weighted + current;
          this.weighted /= this.oldWeight + 1;
        }
        this.oldWeight += 1;
      }
    } else if (isObs) {
      this.weighted = current;
    }
    return this.observations >= 1 ? this.weighted : Number.NaN;
  }
}
