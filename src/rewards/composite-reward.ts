import type { PortfolioState, RewardFunction, RewardInfo } from './types.js';
import { RewardBase } from './types.js';

/** 5.3.4: the weighted sum of several rewards; reset and state cover every component. */
export class CompositeReward extends RewardBase {
  readonly type = 'composite';
  private readonly components: RewardFunction[] = [];
  private readonly weights: number[] = [];

  private readonly scratch = new Float64Array(1);

  constructor(components: [RewardFunction, number][] = []) {
    super();
    for (const [reward, weight] of components) this.addRewardFunction(reward, weight);
  }

  addRewardFunction(reward: RewardFunction, weight = 1): this {
    this.components.push(reward);
    this.weights.push(weight);
    return this;
  }

  get rewardFunctions(): readonly (readonly [RewardFunction, number])[] {
    return this.components.map((reward, i) => [reward, this.weights[i]!] as const);
  }

  calculateInto(out: Float64Array, current: PortfolioState, next: PortfolioState, action: ArrayLike<number> | number, info: RewardInfo): void {
    let total = 0;
    const scratch = this.scratch;
    for (let i = 0; i < this.components.length; i++) {
      const component = this.components[i]!;
      if (component.calculateInto) component.calculateInto(scratch, current, next, action, info);
      else scratch[0] = component.calculate(current, next, action, info);
      total += scratch[0]! * this.weights[i]!;
    }
    out[0] = total;
  }

  reset(): void {
    for (const reward of this.components) reward.reset();
  }

  get stateSize(): number {
    let size = 0;
    for (const reward of this.components) size += reward.stateSize;
    return size;
  }

  saveStateInto(out: Float64Array, offset: number): void {
    for (const reward of this.components) {
      reward.saveStateInto(out, offset);
      offset += reward.stateSize;
    }
  }

  loadState(source: Float64Array, offset: number): void {
    for (const reward of this.components) {
      reward.loadState(source, offset);
      offset += reward.stateSize;
    }
  }
}
