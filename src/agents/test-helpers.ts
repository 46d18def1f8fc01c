/** Small settings for the agents' tests (not exported from the module). */
import type { DeepSeekPolicyOptions } from './policy-options.js';

/** The deepseek policy at test size: every part of the specification's network, one layer each, width 16. */
export const TINY_DEEPSEEK: DeepSeekPolicyOptions = { hiddenDim: 16, encoderLayers: 1, encoderHeads: 2, attentionHeads: 2, decoderLayers: 1, decoderHeads: 2, feedForward: 32, dropout: 0.1, autoregressive: false };
