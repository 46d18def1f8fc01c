import { RewardBase } from './types.js';
import { ReturnWindow } from './window.js';

/** A reward whose only state is a window of recent returns: reset and snapshot state delegate to it. */
export abstract class ReturnWindowReward extends RewardBase {
  protected readonly window: ReturnWindow;

  constructor(windowSize: number) {
    super();
    this.window = new ReturnWindow(windowSize);
  }

  get stateSize(): number {
    return this.window.stateSize;
  }

  reset(): void {
    this.window.clear();
  }

  saveStateInto(out: Float64Array, offset: number): void {
    this.window.saveStateInto(out, offset);
  }

  loadState(source: Float64Array, offset: number): void {
    this.window.loadState(source, offset);
  }
}
