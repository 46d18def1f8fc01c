/** Learning-rate schedules: functions of the 1-based step, evaluated on the host each step. */

export type LearningRateSchedule = (step: number) => number;

/** The same rate every step. */
export function constantSchedule(learningRate: number): LearningRateSchedule {
  return () => learningRate;
}

/** Linear warm-up from 0 over `warmupSteps`, then constant. */
export function warmupSchedule(learningRate: number, warmupSteps: number): LearningRateSchedule {
  return (step) => (warmupSteps > 0 && step < warmupSteps ? (learningRate * step) / warmupSteps : learningRate);
}

/** Linear warm-up, then cosine decay to `minLearningRate` at `totalSteps` (held after). */
export function cosineSchedule(learningRate: number, totalSteps: number, warmupSteps = 0, minLearningRate = 0): LearningRateSchedule {
  return (step) => {
    if (warmupSteps > 0 && step < warmupSteps) return (learningRate * step) / warmupSteps;
    const progress = Math.min(1, (step - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
    return minLearningRate + 0.5 * (learningRate - minLearningRate) * (1 + Math.cos(Math.PI * progress));
  };
}

/** Multiply by `gamma` every `stepSize` steps (PyTorch StepLR). */
export function stepDecaySchedule(learningRate: number, stepSize: number, gamma: number): LearningRateSchedule {
  return (step) => learningRate * Math.pow(gamma, Math.floor((step - 1) / stepSize));
}

/** Linear decay from `learningRate` to `finalLearningRate` over `totalSteps`. */
export function linearDecaySchedule(learningRate: number, totalSteps: number, finalLearningRate = 0): LearningRateSchedule {
  return (step) => learningRate + (finalLearningRate - learningRate) * Math.min(1, (step - 1) / Math.max(1, totalSteps - 1));
}
